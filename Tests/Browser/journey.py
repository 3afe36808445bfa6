#!/usr/bin/env python3
"""The web UI in a real browser: a client goes from registration to an approved application, as
seen on screen, while a staff admin decides in another browser session; then the super admin's
dashboard shows the figures, filters by date, drills down and verifies the audit log.

Setup only (a product, an admin account) goes through the API; everything a person does goes
through the pages. Screenshots of every page visited land in BROWSER_OUTPUT_DIR; any severe
console message (script errors, CSP violations, failed loads that were not expected) fails.
"""
import base64
import datetime
import email
import email.policy
import glob
import json
import os
import re
import struct
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import zlib

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

GATEWAY = os.environ["GATEWAY_URL"].rstrip("/")
MAIL_DIR = os.environ["MAIL_DIR"]
SUPER_EMAIL = os.environ["BOOTSTRAP_SUPER_ADMIN_EMAIL"]
SUPER_PASSWORD = os.environ["BOOTSTRAP_SUPER_ADMIN_PASSWORD"]
OUT = os.environ["BROWSER_OUTPUT_DIR"]
TIMEOUT = float(os.environ.get("BROWSER_TIMEOUT", "30"))
PRODUCT_NAME = "Everyday personal loan"
RUN = uuid.uuid4().hex[:10]

# Failed loads the pages expect: a client file part that was never saved answers 404.
EXPECTED_FAILURES = [re.compile(r"/api/v1/me/(profile|financial|employment) - Failed to load resource: the server responded with a status of 404")]

checks = 0
shots = []


class JourneyError(AssertionError):
    pass


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        raise JourneyError(message)


# ---------------------------------------------------------------------------------------------
# setup through the API (urllib)

def call(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{GATEWAY}/api/v1{path}", data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            text = response.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        raise JourneyError(f"setup: {method} {path} answered {error.code}: {error.read()[:300]!r}") from None


def setup():
    token = call("POST", "/auth/login", {"email": SUPER_EMAIL, "password": SUPER_PASSWORD})["access_token"]
    products = call("GET", "/products?page_size=100", token=token)["items"]
    product = next((p for p in products if p["name"] == PRODUCT_NAME and p["active"]), None)
    if product is None:
        product = call("POST", "/products", {
            "name": PRODUCT_NAME, "type": "personal", "min_amount": "1000.00", "max_amount": "50000.00",
            "min_term_months": 6, "max_term_months": 60, "annual_rate": "11.50", "processing_fee_percent": "1.00",
            "prepayment_fee_percent": "2.00", "required_documents": ["govt_id", "income_proof"], "active": True,
        }, token=token)
    admin = {"email": f"browser-admin-{RUN}@example.test", "password": f"admin-{RUN}-password", "full_name": "Avery Admin"}
    call("POST", "/users", {**admin, "role": "admin"}, token=token)
    return product, admin


# ---------------------------------------------------------------------------------------------
# files and mail

def make_files(folder):
    pdf_objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(pdf_objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(pdf_objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(pdf_objects) + 1, xref)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"".join(bytes((x * 30, y * 30, 160)) for x in range(8)) for y in range(8))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    paths = {"pdf": os.path.join(folder, "identity.pdf"), "png": os.path.join(folder, "payslip.png")}
    with open(paths["pdf"], "wb") as f:
        f.write(bytes(pdf))
    with open(paths["png"], "wb") as f:
        f.write(png)
    return paths


def otp_for(address, since):
    """The code in the newest email to `address` written after `since` (None until it arrives)."""
    newest = None
    for path in glob.glob(os.path.join(MAIL_DIR, "**", "*.eml"), recursive=True):
        try:
            if os.path.getmtime(path) < since:
                continue
            with open(path, "rb") as f:
                raw = f.read()
        except OSError:
            continue
        if address.lower().encode() not in raw.lower():
            continue
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if address.lower() not in str(message.get("To", "")).lower():
            continue
        part = message.get_body(preferencelist=("plain",))
        match = re.search(r"code is (\d{6})", part.get_content() if part else "")
        if match and (newest is None or os.path.getmtime(path) > newest[0]):
            newest = (os.path.getmtime(path), match.group(1))
    return newest[1] if newest else None


# ---------------------------------------------------------------------------------------------
# the browser

def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-GB",
                     # Instant scrolling and no animations: clicks land where the element is.
                     "--force-prefers-reduced-motion"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(TIMEOUT)
    return driver


def wait(driver, condition, message, timeout=TIMEOUT, poll=0.25):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=poll, ignored_exceptions=(StaleElementReferenceException,)).until(condition)
    except TimeoutException:
        raise JourneyError(f"{message} (waited {timeout:.0f} s; at {driver.current_url})") from None


def testid(value, extra=""):
    return (By.CSS_SELECTOR, f'[data-testid="{value}"]{extra}')


def find(driver, value, extra="", message=None):
    locator = testid(value, extra)
    return wait(driver, lambda d: next((e for e in d.find_elements(*locator) if e.is_displayed()), None), message or f"{value}{extra} shows")


def console_problems(driver):
    problems = []
    for entry in driver.get_log("browser"):
        if entry["level"] != "SEVERE":
            continue
        if any(p.search(entry["message"]) for p in EXPECTED_FAILURES):
            continue
        problems.append(entry["message"])
    return problems


def save_full_page(driver, path):
    """The whole page, not only the window (Chromium's DevTools capture beyond the viewport)."""
    driver.execute_script("window.scrollTo(0, 0)")
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


def page_done(driver, name):
    """Screenshot the page and fail on severe console messages since the last page."""
    path = os.path.join(OUT, f"{len(shots) + 1:02d}-{name}.png")
    save_full_page(driver, path)
    shots.append(path)
    problems = console_problems(driver)
    check(not problems, f"{name}: severe console messages: {problems}")


def fill(form, name, value):
    field = form.find_element(By.CSS_SELECTOR, f'[name="{name}"]')
    if field.tag_name == "select":
        Select(field).select_by_value(value)
    elif field.get_attribute("type") == "date":
        # Date inputs take keystrokes in the locale's order; set the value as a picker would.
        field.parent.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}))", field, value)
    else:
        field.clear()
        field.send_keys(value)


def submit(form):
    form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()


def hash_matches(pattern):
    return lambda d: re.search(pattern, d.execute_script("return location.hash"))


def sign_in(driver, address, password, landing):
    driver.get(f"{GATEWAY}/app/#/sign-in")
    form = find(driver, "sign-in-form")
    fill(form, "email", address)
    fill(form, "password", password)
    submit(form)
    wait(driver, hash_matches(landing), f"signed in and landed on {landing}")
    find(driver, "sign-out")


def status_of(driver):
    elements = driver.find_elements(*testid("application-status"))
    return elements[0].get_attribute("data-status") if elements else None


# ---------------------------------------------------------------------------------------------
# the journey

def client_until_pending(driver, product, files):
    client = {"email": f"client-{RUN}@example.test", "password": f"robin secret {RUN}", "full_name": "Robin Client"}

    driver.get(f"{GATEWAY}/")
    wait(driver, lambda d: d.find_element(*testid("stat-processed")).text not in ("", "…"), "hero figures load")
    find(driver, "product-card", f'[data-product-id="{product["id"]}"]', "the product shows on the public page")
    check(len(driver.find_elements(*testid("product-card"))) >= 1, "products render")
    page_done(driver, "public")

    calc = find(driver, "emi-form")
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", calc)
    fill(calc, "principal", "10000")
    fill(calc, "term_months", "24")
    submit(calc)
    wait(driver, lambda d: d.find_elements(*testid("emi-value")) and d.find_element(*testid("emi-value")).text.strip(), "EMI shows")
    wait(driver, lambda d: len(d.find_elements(*testid("schedule-row"))) == 24, "the 24-row schedule shows")
    page_done(driver, "calculator")
    # A refused amount leaves no earlier answer beside its error.
    fill(calc, "principal", "-5000")
    submit(calc)
    wait(driver, lambda d: calc.find_elements(By.CSS_SELECTOR, '[data-field="principal"] [aria-invalid="true"]'), "a negative amount is marked on the field")
    wait(driver, lambda d: not d.find_elements(*testid("emi-value")), "the earlier instalment is gone")

    driver.find_element(*testid("nav-register")).click()
    form = find(driver, "register-form")
    for name in ("full_name", "email", "password"):
        fill(form, name, client[name])
    fill(form, "phone", "+447700900123")
    page_done(driver, "register")
    registered_at = time.time() - 5
    submit(form)
    wait(driver, hash_matches(r"^#/verify"), "register leads to verification")

    form = find(driver, "verify-form")
    code = wait(driver, lambda d: otp_for(client["email"], registered_at), f"the code email for {client['email']} arrives in {MAIL_DIR}", poll=1)
    fill(form, "code", code)
    page_done(driver, "verify")
    submit(form)
    wait(driver, hash_matches(r"^#/sign-in.*verified=1"), "verification leads to sign-in")

    form = find(driver, "sign-in-form")
    fill(form, "password", client["password"])
    page_done(driver, "sign-in")
    submit(form)
    wait(driver, hash_matches(r"^#/portal$"), "the client lands on the portal")
    find(driver, "file-checklist")
    page_done(driver, "portal")

    driver.find_element(By.CSS_SELECTOR, '.app-nav a[href="#/portal/profile"]').click()
    form = find(driver, "profile-form")
    fill(form, "full_name", client["full_name"])
    fill(form, "phone", "+447700900123")
    fill(form, "date_of_birth", "1988-04-12")
    fill(form, "national_id", "QQ123456C")
    fill(form, "address", "1 Example Street, London EC1A 1AA")
    submit(form)
    find(driver, "profile-form", '[data-saved="true"]', "personal details saved")
    form = find(driver, "financial-form")
    fill(form, "monthly_income", "9000")
    fill(form, "monthly_expenses", "2000")
    fill(form, "existing_monthly_debt", "0")
    submit(form)
    find(driver, "financial-form", '[data-saved="true"]', "financial details saved")
    form = find(driver, "employment-form")
    fill(form, "employment_type", "salaried")
    fill(form, "years_employed", "6")
    fill(form, "employer", "Example Works Ltd")
    fill(form, "job_title", "Engineer")
    submit(form)
    find(driver, "employment-form", '[data-saved="true"]', "employment saved")
    page_done(driver, "profile")

    find(driver, "go-apply").click()
    form = find(driver, "apply-form")
    radio = form.find_element(By.CSS_SELECTOR, f'input[name="product_id"][value="{product["id"]}"]')
    form.find_element(By.CSS_SELECTOR, f'label[for="{radio.get_attribute("id")}"]').click()
    fill(form, "amount", "10000")
    fill(form, "term_months", "24")
    fill(form, "purpose", "A new kitchen")
    find(driver, "apply-emi", message="the instalment preview shows")
    page_done(driver, "apply")
    submit(form)
    wait(driver, hash_matches(r"^#/portal/applications/[0-9a-fA-F-]{36}$"), "submission opens the application page")
    application_id = driver.execute_script("return location.hash").rsplit("/", 1)[1]
    find(driver, "application-status")

    kinds = ["pdf", "png"]
    for index in range(8):
        # The page re-renders when the application moves (live events, late on a busy machine):
        # an element found before that is gone, so the step starts again from what the page shows.
        try:
            missing = [e.get_attribute("data-document-type") for e in driver.find_elements(*testid("required-document", '[data-uploaded="false"]'))]
            if not missing:
                break
            form = find(driver, "upload-form")
            fill(form, "document_type", missing[0])
            form.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(files[kinds[index % 2]])
            submit(form)
            find(driver, "required-document", f'[data-document-type="{missing[0]}"][data-uploaded="true"]', f"{missing[0]} uploaded")
        except StaleElementReferenceException:
            continue
    check(not driver.find_elements(*testid("required-document", '[data-uploaded="false"]')), "every required document uploaded")

    wait(driver, lambda d: status_of(d) == "pending_approval", "the application reaches pending_approval on screen")
    find(driver, "timeline-entry", '[data-status="pending_approval"]', "the timeline shows pending_approval")
    find(driver, "live-status", '[data-state="live"]', "the live connection is up")
    driver.execute_script("window.__noReload = true")
    page_done(driver, "application-pending")
    return application_id


def staff_approves(driver, admin, application_id):
    sign_in(driver, admin["email"], admin["password"], r"^#/staff/tasks")
    find(driver, "task-filters")
    page_done(driver, "staff-tasks")

    form = find(driver, "task-filters")
    fill(form, "whose", "any")
    fill(form, "status", "open")
    fill(form, "application_id", application_id)
    submit(form)
    row = find(driver, "task-row", f'[data-application-id="{application_id}" i]', "the application's task is listed")
    page_done(driver, "staff-task-found")
    row.find_element(*testid("task-open")).click()

    wait(driver, hash_matches(rf"(?i)^#/staff/applications/{application_id}$"), "the task opens the application")
    score = find(driver, "analysis-score").text
    risk = find(driver, "analysis-risk").text
    dti = find(driver, "analysis-dti").text
    find(driver, "reason-codes")
    check(score.isdigit() and 300 <= int(score) <= 900, f"a score between 300 and 900 shows (got {score!r})")
    check(float(risk) < 0.75, f"risk below 0.75 (got {risk!r})")
    check("%" in dti, f"DTI shows as a percentage (got {dti!r})")
    check(status_of(driver) == "pending_approval", "staff see pending_approval")
    form = find(driver, "decision-form")
    fill(form, "comment", "Affordable: salaried, low debt service.")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", form)
    page_done(driver, "staff-review")
    find(driver, "decide-approve").click()
    wait(driver, lambda d: status_of(d) == "approved", "the decision shows approved to staff")
    page_done(driver, "staff-approved")

    for path, hook, name in (("/admin/products", "product-row", "admin-products"), ("/admin/users", "user-row", "admin-users"),
                             ("/admin/policy", "policy-form", "admin-policy"), ("/staff/tickets", "ticket-row", "ticket-queue")):
        driver.find_element(By.CSS_SELECTOR, f'.app-nav a[href="#{path}"]').click()
        wait(driver, hash_matches(rf"^#{path}"), f"{path} opens")
        if name == "ticket-queue":
            wait(driver, lambda d: d.find_elements(*testid(hook)) or d.find_elements(By.CSS_SELECTOR, ".state--empty"), "the ticket queue loads")
        else:
            find(driver, hook)
        page_done(driver, name)


def client_sees_approval(driver):
    wait(driver, lambda d: status_of(d) == "approved", "the client's page shows approved without a reload")
    check(driver.execute_script("return window.__noReload === true"), "the client's page was not reloaded")
    find(driver, "timeline-entry", '[data-status="approved"]', "the timeline shows approved")
    page_done(driver, "client-approved")
    driver.find_element(By.CSS_SELECTOR, '.app-nav a[href="#/notifications"]').click()
    find(driver, "notification", message="notifications list the changes")
    page_done(driver, "client-notifications")
    # Marking all read empties the nav's unread badge at once, not at the next live update.
    wait(driver, lambda d: d.find_element(*testid("unread-count")).is_displayed(), "the unread badge counts the new notices")
    driver.find_element(*testid("read-all")).click()
    wait(driver, lambda d: not d.find_element(*testid("unread-count")).is_displayed(), "the unread badge clears after mark all read")
    driver.find_element(By.CSS_SELECTOR, '.app-nav a[href="#/portal/tickets"]').click()
    find(driver, "ticket-form")
    page_done(driver, "client-support")


def number(text):
    digits = re.sub(r"[^\d.]", "", text)
    return float(digits) if digits else 0.0


def dashboard(driver, application_id):
    sign_in(driver, SUPER_EMAIL, SUPER_PASSWORD, r"^#/dashboard")
    # The figures follow the events by a few seconds; the page refreshes them every 30 s.
    wait(driver, lambda d: number(d.find_element(*testid("kpi-applications")).text) >= 1, "the dashboard counts at least one application", 2 * TIMEOUT + 5)
    wait(driver, lambda d: number(d.find_element(*testid("kpi-traffic")).text) > 0, "the dashboard counts traffic")
    find(driver, "chart-portfolio")
    page_done(driver, "dashboard")

    today = datetime.date.today()
    form = find(driver, "date-filter").find_element(By.TAG_NAME, "form")
    # A period that ends before it starts is refused in the form, on the field, and goes nowhere.
    fill(form, "from", today.isoformat())
    fill(form, "to", (today - datetime.timedelta(days=1)).isoformat())
    submit(form)
    wait(driver, lambda d: form.find_elements(By.CSS_SELECTOR, '[data-field="to"] [aria-invalid="true"]'), "a To before From is marked on the field")
    check("from=" not in driver.current_url, "the refused period did not go into the address")
    fill(form, "from", (today - datetime.timedelta(days=6)).isoformat())
    fill(form, "to", today.isoformat())
    submit(form)
    wait(driver, hash_matches(rf"from={today - datetime.timedelta(days=6)}&to={today}"), "the date filter goes into the address")
    wait(driver, lambda d: number(d.find_element(*testid("kpi-applications")).text) >= 1, "the filtered dashboard counts today's application")
    page_done(driver, "dashboard-filtered")

    bar = find(driver, "chart-portfolio", ' .chart__item--link[aria-label^="Approved"]', "the portfolio has an approved bar")
    driver.execute_script("arguments[0].focus()", bar)
    bar.send_keys(Keys.ENTER)
    wait(driver, hash_matches(r"^#/staff/applications\?.*status=approved"), "Enter on a bar drills down to the applications")
    find(driver, "application-row", f'[data-application-id="{application_id}" i]', "the approved application is in the drill-down")
    check(all(r.get_attribute("data-status") == "approved" for r in driver.find_elements(*testid("application-row"))), "the drill-down lists approved applications only")
    page_done(driver, "drilldown-applications")

    driver.back()
    route = find(driver, "chart-top-routes", " .chart__item--link", "the top routes chart shows")
    route.click()
    wait(driver, hash_matches(r"^#/dashboard/traffic\?.*path="), "a route bar drills down to its traffic")
    wait(driver, lambda d: number(d.find_element(*testid("traffic-count")).text) > 0, "the route's figures show")
    page_done(driver, "drilldown-route")

    driver.find_element(By.CSS_SELECTOR, '.app-nav a[href="#/dashboard"]').click()
    action = find(driver, "chart-audit-actions", " .chart__item--link", "the audit activity chart shows")
    name = action.get_attribute("aria-label").split(":")[0]
    action.click()
    wait(driver, hash_matches(r"^#/dashboard/audit\?.*action="), "an audit bar drills down to the log")
    find(driver, "audit-row")
    check(all(r.get_attribute("data-action") == name for r in driver.find_elements(*testid("audit-row"))), f"the log is filtered by {name}")
    find(driver, "audit-verify").click()
    result = find(driver, "audit-verify-result")
    check(result.get_attribute("data-valid") == "true", f"the audit chain verifies: {result.text}")
    page_done(driver, "audit-log")

    driver.find_element(By.CSS_SELECTOR, '.subnav a[href="#/dashboard/dead-letters"]').click()
    find(driver, "dead-letter-total")
    page_done(driver, "dead-letters")


def main():
    started = time.monotonic()
    os.makedirs(OUT, exist_ok=True)
    for old in glob.glob(os.path.join(OUT, "*.png")):
        os.remove(old)
    step = "setup"
    drivers = []
    try:
        product, admin = setup()
        with tempfile.TemporaryDirectory() as folder:
            files = make_files(folder)
            step = "client"
            client = browser()
            drivers.append(client)
            application_id = client_until_pending(client, product, files)
            step = "staff"
            staff = browser()
            drivers.append(staff)
            staff_approves(staff, admin, application_id)
            staff.quit()
            drivers.remove(staff)
            step = "client (live update)"
            client_sees_approval(client)
            client.quit()
            drivers.remove(client)
            step = "dashboard"
            operator = browser()
            drivers.append(operator)
            dashboard(operator, application_id)
    except Exception as error:  # noqa: BLE001 - any failure is reported and fails the run
        for driver in drivers:
            try:
                driver.save_screenshot(os.path.join(OUT, f"failure-{step.split()[0]}.png"))
            except Exception:  # noqa: BLE001
                pass
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        print(f"browser journey: FAILED in {step}: {reason} ({checks} checks passed, {time.monotonic() - started:.0f} s)")
        return 1
    finally:
        for driver in drivers:
            driver.quit()
    print(f"browser journey: passed, {checks} checks, {len(shots)} screenshots in {OUT}, {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The web UI in a real browser: a client goes from registration to an approved application, as
seen on screen, while a staff admin decides in another browser session; then the super admin's
dashboard shows the figures, filters by date, drills down and verifies the audit log. The whole
journey runs twice, on a laptop (1366x900) and on a phone (390x844); on the phone a client then
works offline (DevTools network emulation): edits and applies, comes back, sees the writes synced
and settles a conflict.

Setup only (a product, an admin account) goes through the API; everything a person does goes
through the pages. Screenshots of every page visited land in BROWSER_OUTPUT_DIR. Every page
visited fails the run on: a severe console message (script errors, CSP violations, failed loads
that were not expected); a page wider than the window or content cut off at its right edge; a
serious or critical axe-core violation; visible snake_case words, UUIDs or amounts without
grouping (text in <code> is exempt: identifiers shown to operators as such; so is text in <bdi>:
what people typed, such as names, emails and subjects, shown as typed).
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
import urllib.parse
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
AXE = open(os.environ["AXE_SCRIPT"], encoding="utf-8").read()
TIMEOUT = float(os.environ.get("BROWSER_TIMEOUT", "30"))
PRODUCT_NAME = "Everyday personal loan"
RUN = uuid.uuid4().hex[:10]
VIEWPORTS = (("laptop", 1366, 900), ("phone", 390, 844))

# Failed loads the pages expect: a client file part that was never saved answers 404, so do the
# journey's made-up addresses, and nothing loads while the journey has the browser offline.
EXPECTED_FAILURES = [
    re.compile(r"/api/v1/me/(profile|financial|employment) - Failed to load resource: the server responded with a status of 404"),
    re.compile(r"/(app/)?nope - Failed to load resource: the server responded with a status of 404"),
    re.compile(r"net::ERR_INTERNET_DISCONNECTED"),
]

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

def call(method, path, body=None, token=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{GATEWAY}/api/v1{path}", data=data, method=method)
    request.add_header("Accept", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
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


def setup(run):
    token = call("POST", "/auth/login", {"email": SUPER_EMAIL, "password": SUPER_PASSWORD})["access_token"]
    products = call("GET", "/products?page_size=100", token=token)["items"]
    product = next((p for p in products if p["name"] == PRODUCT_NAME and p["active"]), None)
    if product is None:
        product = call("POST", "/products", {
            "name": PRODUCT_NAME, "type": "personal", "min_amount": "1000.00", "max_amount": "50000.00",
            "min_term_months": 6, "max_term_months": 60, "annual_rate": "11.50", "processing_fee_percent": "1.00",
            "prepayment_fee_percent": "2.00", "required_documents": ["govt_id", "income_proof"], "active": True,
        }, token=token)
    admin = {"email": f"browser-admin-{run}@example.test", "password": f"admin-{run}-password", "full_name": "Avery Admin"}
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

def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={max(width, 500)},{height}", "--lang=en-GB",
                     # Instant scrolling and no animations: clicks land where the element is.
                     "--force-prefers-reduced-motion"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(TIMEOUT)
    # Headless windows are at least 500 px wide: a phone's width comes from device emulation.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
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


# Elements past the window's right edge (outside any clipping box), and boxes that clip their
# content sideways (a table scrolling inside its card counts: its right part is cut off).
LAYOUT_JS = r"""
const width = document.documentElement.clientWidth; const found = [];
const describe = (el) => el.tagName.toLowerCase() + (el.dataset.testid ? `[${el.dataset.testid}]` : '') + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '');
const clipped = (el) => { for (let p = el.parentElement; p; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return true; return false; };
for (const el of document.querySelectorAll('body *')) {
  if (!el.checkVisibility() || el.closest('.visually-hidden, svg')) continue;
  const style = getComputedStyle(el); const box = el.getBoundingClientRect();
  if (box.width && box.right > width + 1 && style.position !== 'fixed' && !clipped(el)) found.push(`${describe(el)} ends at ${Math.round(box.right)} px`);
  if (el.clientWidth > 1 && !el.matches('input, textarea, select') && style.overflowX !== 'visible' && style.textOverflow !== 'ellipsis' && el.scrollWidth > el.clientWidth + 1) found.push(`${describe(el)} cuts off ${el.scrollWidth - el.clientWidth} px`);
}
return {page: document.documentElement.scrollWidth, width, found: found.slice(0, 5)};
"""

# The app's own words a person sees: visible text nodes outside <code> (identifiers shown as such)
# and <bdi> (what people typed: names, emails, subjects, product names, shown as typed).
TEXT_JS = r"""
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); const parts = []; let node;
while ((node = walker.nextNode())) {
  const el = node.parentElement;
  if (el && !el.closest('code, bdi, script, style, .visually-hidden') && el.checkVisibility()) parts.push(node.textContent);
}
return parts.join(' ');
"""

AXE_JS = """
const done = arguments[0];
axe.run(document, {resultTypes: ['violations']}).then((result) => done(result.violations
  .filter((v) => v.impact === 'serious' || v.impact === 'critical')
  .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`)));
"""

MACHINE_TEXT = [
    ("snake_case words", re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")),
    ("UUIDs", re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")),
    ("amounts without grouping", re.compile(r"(?<![\d,.])\d{4,}\.\d{2}\b")),
]


def page_checks(driver, name, machine_text):
    layout = driver.execute_script(LAYOUT_JS)
    check(layout["page"] <= layout["width"] and not layout["found"],
          f"{name}: content past the right edge at {layout['width']} px (page {layout['page']} px): {layout['found']}")
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE)
    violations = driver.execute_async_script(AXE_JS)
    check(not violations, f"{name}: axe-core: {violations}")
    if not machine_text:
        return
    text = driver.execute_script(TEXT_JS)
    for what, pattern in MACHINE_TEXT:
        seen = sorted(set(pattern.findall(text)))
        check(not seen, f"{name}: visible {what}: {seen[:5]}")


def page_done(driver, name, machine_text=True):
    """Screenshot the page; fail on severe console messages since the last page, on layout that
    does not fit the window, on accessibility violations and on machine text (unless the page is
    for developers, whose field names are its content)."""
    path = os.path.join(OUT, f"{len(shots) + 1:02d}-{VIEW}-{name}.png")
    save_full_page(driver, path)
    shots.append(path)
    problems = console_problems(driver)
    check(not problems, f"{name}: severe console messages: {problems}")
    page_checks(driver, name, machine_text)


def open_menu(driver):
    """On a phone the navigation folds behind the menu button (the public site's and the app's)."""
    toggle = [t for t in driver.find_elements(By.CSS_SELECTOR, ".menu-toggle") if t.is_displayed()]
    if toggle and toggle[0].get_attribute("aria-expanded") != "true":
        toggle[0].click()


def nav(driver, href):
    """Follows a link of the app's main navigation."""
    open_menu(driver)
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, f'.app-nav a[href="{href}"]').is_displayed(), f"the {href} link shows")
    driver.find_element(By.CSS_SELECTOR, f'.app-nav a[href="{href}"]').click()


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

def client_until_pending(driver, product, files, run):
    client = {"email": f"client-{run}@example.test", "password": f"robin secret {run}", "full_name": "Robin Client"}

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

    # The API reference, and a page that does not exist, under the same rules as every page.
    driver.get(f"{GATEWAY}/docs/")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#swagger-ui .opblock"), "the API reference lists the operations")
    page_done(driver, "api-reference", machine_text=False)
    for path in ("/nope", "/app/nope"):
        driver.get(f"{GATEWAY}{path}")
        wait(driver, lambda d: "Page not found" in d.find_element(By.TAG_NAME, "h1").text, f"{path} shows the not-found page")
    page_done(driver, "not-found")
    driver.get(f"{GATEWAY}/")

    open_menu(driver)
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

    nav(driver, "#/portal/profile")
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
    page_done(driver, "application-submitted")

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
    return application_id, client


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
    # The confirmation shows in the header's strip: no control of the page lies under it.
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#toasts .toast"), "the decision is confirmed in a toast")
    covered = driver.execute_script("""
      const header = document.querySelector('.app-header').getBoundingClientRect().bottom;
      return [...document.querySelectorAll('#main button, #main a, #main input, #main select, #main textarea')].filter((el) => {
        const box = el.getBoundingClientRect();
        if (!box.width || box.top < header || box.bottom > innerHeight) return false;
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        return hit && !el.contains(hit) && !hit.contains(el);
      }).map((el) => el.outerHTML.slice(0, 80));""")
    check(not covered, f"nothing covers the page's controls while a toast shows: {covered}")
    page_done(driver, "staff-approved")

    for path, hook, name in (("/admin/products", "product-row", "admin-products"), ("/admin/users", "user-row", "admin-users"),
                             ("/admin/policy", "policy-form", "admin-policy"), ("/staff/tickets", "ticket-row", "ticket-queue")):
        nav(driver, f"#{path}")
        wait(driver, hash_matches(rf"^#{path}"), f"{path} opens")
        if name == "ticket-queue":
            wait(driver, lambda d: d.find_elements(*testid(hook)) or d.find_elements(By.CSS_SELECTOR, ".state--empty"), "the ticket queue loads")
        else:
            find(driver, hook)
        page_done(driver, name)


def unread_shown(driver):
    """The nav's unread badge, or on a phone the dot on the folded menu's button."""
    toggle = driver.find_element(*testid("menu-toggle"))
    if toggle.is_displayed():
        return toggle.get_attribute("data-unread") == "true"
    return driver.find_element(*testid("unread-count")).is_displayed()


def client_sees_approval(driver):
    wait(driver, lambda d: status_of(d) == "approved", "the client's page shows approved without a reload")
    check(driver.execute_script("return window.__noReload === true"), "the client's page was not reloaded")
    find(driver, "timeline-entry", '[data-status="approved"]', "the timeline shows approved")
    page_done(driver, "client-approved")
    nav(driver, "#/notifications")
    find(driver, "notification", message="notifications list the changes")
    page_done(driver, "client-notifications")
    # Marking all read empties the nav's unread badge at once, not at the next live update.
    wait(driver, lambda d: unread_shown(d), "the unread badge counts the new notices")
    driver.find_element(*testid("read-all")).click()
    wait(driver, lambda d: not unread_shown(d), "the unread badge clears after mark all read")
    nav(driver, "#/portal/tickets")
    find(driver, "ticket-form")
    page_done(driver, "client-support")


def network(driver, online):
    """DevTools network emulation: the page (and its service worker) without a network, or back."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": not online, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    wait(driver, lambda d: d.execute_script("return navigator.onLine") == online, f"the browser is {'online' if online else 'offline'}")


def outbox_states(driver):
    return {e.get_attribute("data-op-id"): (e.get_attribute("data-state"), e.text) for e in driver.find_elements(*testid("outbox-item"))}


def offline_journey(driver, client):
    """On the phone, without a network: edit the file and apply; someone changes the same details
    meanwhile; back online the writes are synced and the conflict is settled by keeping mine."""
    token = call("POST", "/auth/login", {"email": client["email"], "password": client["password"]})["access_token"]
    nav(driver, "#/portal/apply")
    find(driver, "apply-form")  # read once online: the catalogue is then on the device too
    nav(driver, "#/portal/profile")
    form = find(driver, "financial-form")
    wait(driver, lambda d: d.execute_script("return Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)"), "the service worker controls the app")

    network(driver, False)
    find(driver, "sync-banner", '[data-online="false"]', "the banner says the app is offline")
    fill(form, "monthly_income", "9100")
    submit(form)
    find(driver, "financial-form", '[data-saved="queued"]', "the financial details wait on the device")
    page_done(driver, "offline-edit")

    nav(driver, "#/portal/apply")
    form = find(driver, "apply-form")
    fill(form, "amount", "50000")
    fill(form, "term_months", "6")
    fill(form, "purpose", "A boat, bought while offline")
    submit(form)
    wait(driver, hash_matches(r"^#/sync$"), "the queued application opens the list of changes")
    wait(driver, lambda d: len(outbox_states(d)) >= 2, "both writes wait in the outbox")
    check(all(state == "pending" for state, _ in outbox_states(driver).values()), f"queued writes are pending: {outbox_states(driver)}")
    find(driver, "sync-banner", '[data-queue="2"]', "the banner counts two waiting changes")

    # Meanwhile the same details change elsewhere (a branch officer, another device).
    current = call("GET", "/me/financial", token=token)
    call("PUT", "/me/financial", {"monthly_income": "9500.00", "monthly_expenses": current["monthly_expenses"],
                                  "existing_monthly_debt": current["existing_monthly_debt"]}, token=token, headers={"If-Match": f'"{current["version"]}"'})

    driver.refresh()  # the app shell comes from the service worker, the list from IndexedDB
    wait(driver, lambda d: len(outbox_states(d)) >= 2, "the app opens offline with its outbox")
    page_done(driver, "offline-outbox")

    network(driver, True)
    wait(driver, lambda d: sorted(state for state, _ in outbox_states(d).values()) == ["conflict", "synced"], "back online, one write is synced and one conflicts", 2 * TIMEOUT)
    page_done(driver, "synced-with-conflict")
    find(driver, "resolve").click()
    wait(driver, hash_matches(r"^#/sync/conflicts/"), "the conflict opens")
    check("9,100.00" in find(driver, "mine").text and "9,500.00" in find(driver, "theirs").text, "both versions show side by side")
    page_done(driver, "conflict")
    find(driver, "keep-mine").click()
    wait(driver, lambda d: sorted(state for state, _ in outbox_states(d).values()) == ["synced", "synced"], "keeping mine sends it again, and it is synced", 2 * TIMEOUT)
    check(call("GET", "/me/financial", token=token)["monthly_income"] == "9100.00", "the server holds my version")

    # The application sent from the outbox: 50,000.00 over 6 months is far beyond this income.
    find(driver, "outbox-open").click()
    wait(driver, lambda d: status_of(d) == "rejected", "the offline application is analysed and declined", 2 * TIMEOUT)
    reasons = [e.text for e in driver.find_elements(*testid("decline-reason"))]
    check(any("60 %" in r for r in reasons), f"the client reads the principal reasons in plain words: {reasons}")
    check([e.get_attribute("data-status") for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="progress"] li')][-1] == "rejected",
          "the progress ends where the application stopped")
    page_done(driver, "declined")


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

    nav(driver, "#/dashboard")
    action = find(driver, "chart-audit-actions", " .chart__item--link", "the audit activity chart shows")
    action.click()
    wait(driver, hash_matches(r"^#/dashboard/audit\?.*action="), "an audit bar drills down to the log")
    name = urllib.parse.parse_qs(driver.execute_script("return location.hash").split("?", 1)[1])["action"][0]
    find(driver, "audit-row")
    check(all(r.get_attribute("data-action") == name for r in driver.find_elements(*testid("audit-row"))), f"the log is filtered by {name}")
    find(driver, "audit-verify").click()
    result = find(driver, "audit-verify-result")
    check(result.get_attribute("data-valid") == "true", f"the audit chain verifies: {result.text}")
    page_done(driver, "audit-log")

    driver.find_element(By.CSS_SELECTOR, '.subnav a[href="#/dashboard/dead-letters"]').click()
    find(driver, "dead-letter-total")
    page_done(driver, "dead-letters")


def journey(view, width, height, files):
    """The whole journey in one window size, each person in a browser of their own."""
    global VIEW, step
    VIEW = view
    run = f"{RUN}-{view}"
    step = f"setup ({view})"
    product, admin = setup(run)
    with opened(width, height) as client:
        step = f"client ({view})"
        application_id, account = client_until_pending(client, product, files, run)
        with opened(width, height) as staff:
            step = f"staff ({view})"
            staff_approves(staff, admin, application_id)
        step = f"client, live update ({view})"
        client_sees_approval(client)
        if view == "phone":
            step = f"offline ({view})"
            offline_journey(client, account)
    with opened(width, height) as operator:
        step = f"dashboard ({view})"
        dashboard(operator, application_id)


class opened:
    """A browser for one person, quit at the end (after a screenshot if something failed)."""

    def __init__(self, width, height):
        self.size = (width, height)

    def __enter__(self):
        self.driver = browser(*self.size)
        return self.driver

    def __exit__(self, kind, error, trace):
        if kind is not None:
            try:
                self.driver.save_screenshot(os.path.join(OUT, f"failure-{step.split()[0]}-{VIEW}.png"))
            except Exception:  # noqa: BLE001 - the failure itself is what gets reported
                pass
        self.driver.quit()
        return False


VIEW = VIEWPORTS[0][0]
step = "setup"


def main():
    started = time.monotonic()
    os.makedirs(OUT, exist_ok=True)
    for old in glob.glob(os.path.join(OUT, "*.png")):
        os.remove(old)
    try:
        with tempfile.TemporaryDirectory() as folder:
            files = make_files(folder)
            for view, width, height in VIEWPORTS:
                journey(view, width, height, files)
    except Exception as error:  # noqa: BLE001 - any failure is reported and fails the run
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        print(f"browser journey: FAILED in {step}: {reason} ({checks} checks passed, {time.monotonic() - started:.0f} s)")
        return 1
    print(f"browser journey: passed, {checks} checks, {len(shots)} screenshots in {OUT}, {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

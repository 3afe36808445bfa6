#!/usr/bin/env python3
"""deploy/local/demo.py: fills a running lending stack with demo data, through the public API.

Run it through deploy/local/demo (which finds the dev stack's gateway, mail folder and bootstrap
super admin); Python 3 standard library only. Idempotent: every object is looked up by a stable
name before it is created, creating POSTs carry an Idempotency-Key derived from that name, and
applications are moved towards their target state from whatever state they are in, so a second
run creates nothing and prints the same accounts.

Environment (the wrapper sets the first four):
  GATEWAY_URL                       the gateway (default http://127.0.0.1:8080)
  DEMO_MAIL_DIR                     the stack's local-mode mail folder (.eml files): sign-up codes
  DEMO_STATE_DIR                    where the TOTP secrets of demo accounts are kept (MFA)
  BOOTSTRAP_SUPER_ADMIN_EMAIL, BOOTSTRAP_SUPER_ADMIN_PASSWORD
  BOOTSTRAP_SUPER_ADMIN_TOTP_SECRET the super admin's base32 TOTP secret, if MFA is on for it
  DEMO_PASSWORD                     password of every demo account (LOCAL-DEV ONLY)
  DEMO_TIMEOUT                      seconds to wait for one asynchronous step (default 90)
"""

import base64
import email
import email.policy
import hashlib
import hmac
import json
import os
import random
import re
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

# ---------------------------------------------------------------------------------------------
# what the demo is made of

DOMAIN = "demo.lending.local"
# LOCAL-DEV ONLY: printed at the end; never use it anywhere but a developer's own machine.
DEFAULT_PASSWORD = "local-dev-demo-password"

STAFF = [  # (role, email, full name); the bootstrap super admin exists already
    ("admin", f"admin@{DOMAIN}", "Priya Raman"),
    ("analyst", f"analyst@{DOMAIN}", "Alex Morgan"),
    ("manager", f"manager@{DOMAIN}", "Maria Chen"),
    ("director", f"director@{DOMAIN}", "David Okafor"),
]

PRODUCTS = [  # every product type
    {"name": "Everyday Personal Loan", "type": "personal", "min_amount": "1000.00", "max_amount": "50000.00",
     "min_term_months": 6, "max_term_months": 60, "annual_rate": "11.50", "processing_fee_percent": "1.00",
     "prepayment_fee_percent": "2.00", "required_documents": ["govt_id", "income_proof"]},
    {"name": "Home Purchase Mortgage", "type": "home", "min_amount": "50000.00", "max_amount": "1000000.00",
     "min_term_months": 60, "max_term_months": 360, "annual_rate": "8.25", "processing_fee_percent": "0.50",
     "prepayment_fee_percent": "1.00", "required_documents": ["govt_id", "address_proof", "income_proof", "bank_statement"]},
    {"name": "New & Used Auto Loan", "type": "auto", "min_amount": "5000.00", "max_amount": "100000.00",
     "min_term_months": 12, "max_term_months": 84, "annual_rate": "9.75", "processing_fee_percent": "1.00",
     "prepayment_fee_percent": "2.00", "required_documents": ["govt_id", "income_proof"]},
    {"name": "Small Business Growth Loan", "type": "business", "min_amount": "10000.00", "max_amount": "500000.00",
     "min_term_months": 12, "max_term_months": 120, "annual_rate": "13.00", "processing_fee_percent": "1.50",
     "prepayment_fee_percent": "3.00", "required_documents": ["govt_id", "bank_statement", "income_proof"]},
    {"name": "Education Loan", "type": "education", "min_amount": "2000.00", "max_amount": "150000.00",
     "min_term_months": 12, "max_term_months": 120, "annual_rate": "7.50", "processing_fee_percent": "0.50",
     "prepayment_fee_percent": "0.00", "required_documents": ["govt_id"]},
]

CLIENTS = [  # salaried, well paid, little debt: their applications score well (risk far below 0.75)
    {"key": "ada", "email": f"ada@{DOMAIN}", "full_name": "Ada Lovelace",
     "profile": {"full_name": "Ada Lovelace", "phone": "+14155550101", "date_of_birth": "1986-12-10",
                 "address": "12 Analytical Row, London", "national_id": "DEMO-ADA-1815"},
     "financial": {"monthly_income": "9500.00", "monthly_expenses": "2800.00", "existing_monthly_debt": "150.00"},
     "employment": {"employment_type": "salaried", "employer": "Babbage Engines Ltd", "job_title": "Lead Engineer",
                    "years_employed": 6}},
    {"key": "grace", "email": f"grace@{DOMAIN}", "full_name": "Grace Hopper",
     "profile": {"full_name": "Grace Hopper", "phone": "+14155550102", "date_of_birth": "1979-12-09",
                 "address": "1 Navy Way, Arlington", "national_id": "DEMO-GH-1906"},
     "financial": {"monthly_income": "14000.00", "monthly_expenses": "3500.00", "existing_monthly_debt": "0.00"},
     "employment": {"employment_type": "salaried", "employer": "Compiler Systems Inc", "job_title": "Rear Admiral of Code",
                    "years_employed": 12}},
    {"key": "alan", "email": f"alan@{DOMAIN}", "full_name": "Alan Turing",
     "profile": {"full_name": "Alan Turing", "phone": "+14155550103", "date_of_birth": "1984-06-23",
                 "address": "3 Bletchley Park, Milton Keynes", "national_id": "DEMO-AT-1912"},
     "financial": {"monthly_income": "11000.00", "monthly_expenses": "3000.00", "existing_monthly_debt": "200.00"},
     "employment": {"employment_type": "salaried", "employer": "Enigma Research", "job_title": "Principal Scientist",
                    "years_employed": 8}},
    {"key": "katherine", "email": f"katherine@{DOMAIN}", "full_name": "Katherine Johnson",
     "profile": {"full_name": "Katherine Johnson", "phone": "+14155550104", "date_of_birth": "1990-08-26",
                 "address": "8 Langley Road, Hampton", "national_id": "DEMO-KJ-1918"},
     "financial": {"monthly_income": "8500.00", "monthly_expenses": "2500.00", "existing_monthly_debt": "100.00"},
     "employment": {"employment_type": "salaried", "employer": "Orbital Mechanics Co", "job_title": "Flight Analyst",
                    "years_employed": 5}},
]

# Each application is found again by its client and its exact purpose. `target` is the state it
# is driven to; `documents` are uploaded by the client (small generated PDFs).
APPLICATIONS = [
    {"slug": "ada-personal", "client": "ada", "product": "personal", "amount": "12000.00", "term": 24,
     "purpose": "Home office equipment and a new laptop", "documents": ["govt_id", "income_proof"],
     "target": "disbursed", "payments": 2},
    {"slug": "ada-auto", "client": "ada", "product": "auto", "amount": "18000.00", "term": 48,
     "purpose": "A family car (used hybrid estate)", "documents": ["govt_id", "income_proof"],
     "target": "pending_approval", "at_role": "analyst"},
    {"slug": "grace-home", "client": "grace", "product": "home", "amount": "240000.00", "term": 240,
     "purpose": "Purchase of a two-bedroom apartment",
     "documents": ["govt_id", "address_proof", "income_proof", "bank_statement"],
     "target": "pending_approval", "at_role": "director"},
    {"slug": "grace-education", "client": "grace", "product": "education", "amount": "30000.00", "term": 60,
     "purpose": "Master's degree tuition in data science", "documents": ["govt_id"], "target": "approved"},
    {"slug": "grace-personal", "client": "grace", "product": "personal", "amount": "8000.00", "term": 12,
     "purpose": "Wedding expenses", "documents": [], "target": "withdrawn"},
    {"slug": "alan-business", "client": "alan", "product": "business", "amount": "60000.00", "term": 60,
     "purpose": "Workshop machinery for a new product line", "documents": ["govt_id", "income_proof"],
     "target": "documents_requested", "request": ["bank_statement"]},
    {"slug": "alan-personal", "client": "alan", "product": "personal", "amount": "20000.00", "term": 36,
     "purpose": "Consolidating credit card balances", "documents": [], "target": "rejected"},
    {"slug": "alan-auto", "client": "alan", "product": "auto", "amount": "10000.00", "term": 24,
     "purpose": "A second-hand motorbike", "documents": ["govt_id", "income_proof"], "target": "closed", "payments": 1},
    {"slug": "katherine-personal", "client": "katherine", "product": "personal", "amount": "5000.00", "term": 12,
     "purpose": "Kitchen renovation", "documents": ["govt_id", "income_proof"], "target": "disbursed", "payments": 1},
    # 50,000 over 6 months is an instalment far above 60 % of her income: declined by the scorecard.
    {"slug": "katherine-holiday", "client": "katherine", "product": "personal", "amount": "50000.00", "term": 6,
     "purpose": "A round-the-world trip", "documents": [], "target": "rejected_automatically"},
]

TICKETS = [
    {"client": "ada", "subject": "When is my first repayment due?", "priority": "medium", "application": "ada-personal",
     "description": "I can see the schedule of my personal loan, but I would like to confirm the first due date "
                    "and whether I can pay early without a fee."},
    {"client": "alan", "subject": "Which bank statements do you need?", "priority": "high", "application": "alan-business",
     "description": "The analyst asked for a bank statement for my business loan. Do you need the last three "
                    "or the last six months, and for the business or my personal account?",
     "progress": "Hello Alan, the last six months of the business account, please. We will pick it up as soon as it arrives."},
    {"client": "katherine", "subject": "Updating my postal address", "priority": "low", "application": None,
     "description": "I am moving next month. How do I update the address on my customer file?"},
]

WANTED_STATES = ["pending_approval", "documents_requested", "approved", "rejected", "withdrawn", "disbursed", "closed"]


# ---------------------------------------------------------------------------------------------
# plumbing

class DemoError(Exception):
    pass


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def same_id(a, b):
    return a is not None and b is not None and str(a).lower() == str(b).lower()


def totp(secret_b32, at=None, step=30, digits=6):
    """RFC 6238 (HMAC-SHA-1, 6 digits, 30 s), the secret as an authenticator app takes it."""
    text = secret_b32.strip().replace(" ", "").upper()
    key = base64.b32decode(text + "=" * (-len(text) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


def jwt_claims(token):
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def demo_pdf(title, lines):
    """A small, whole one-page PDF (the gateway judges uploads by their content)."""
    text = ["BT", "/F1 20 Tf", "72 760 Td", f"({title}) Tj", "/F1 12 Tf"]
    for line in lines:
        text += ["0 -22 Td", f"({line}) Tj"]
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class Reply:
    def __init__(self, status, body, headers):
        self.status = status
        self.raw = body
        self.headers = headers
        try:
            self.json = json.loads(body) if body else {}
        except ValueError:
            self.json = {}

    def get(self, key, default=None):
        return self.json.get(key, default) if isinstance(self.json, dict) else default

    @property
    def problem_type(self):
        return str(self.get("type") or "")

    def describe(self):
        text = self.raw.decode("utf-8", "replace")[:600] if self.raw else ""
        return f"{self.status} {text}"


class Gateway:
    """HTTP to the gateway: JSON in and out, `429`/`503` waited out as `Retry-After` says."""

    def __init__(self, base_url, timeout):
        self.root = base_url.rstrip("/")
        self.base = self.root + "/api/v1"
        self.timeout = timeout
        self.requests = 0

    def call(self, method, path, body=None, token=None, headers=None, raw=None, content_type=None, retry_timeouts=None,
             connect_retries=5):
        url = path if path.startswith("http") else self.base + path
        data = None
        all_headers = {"Accept": "application/json", "User-Agent": "lending-demo/1"}
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        elif raw is not None:
            data = raw
            all_headers["Content-Type"] = content_type
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        all_headers.update(headers or {})
        # A request that cannot take effect twice (a read, or one with an Idempotency-Key) may be
        # sent again after a 504 or a dropped connection.
        if retry_timeouts is None:
            retry_timeouts = method in ("GET", "PUT") or "Idempotency-Key" in all_headers
        deadline = time.monotonic() + max(self.timeout, 180)
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    reply = Reply(response.status, response.read(), response.headers)
            except urllib.error.HTTPError as error:
                reply = Reply(error.code, error.read(), error.headers)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                refused = isinstance(getattr(error, "reason", None), ConnectionRefusedError)
                if attempt <= connect_retries and (retry_timeouts or refused):
                    time.sleep(min(2 ** attempt, 10))
                    continue
                raise DemoError(f"{method} {url}: {getattr(error, 'reason', error)} "
                                f"(is the stack up? deploy/local/up prints its GATEWAY_URL)") from None
            if reply.status in (429, 503) and reply.headers.get("Retry-After") and time.monotonic() < deadline:
                wait = min(float(reply.headers.get("Retry-After") or 1), 120.0) + random.uniform(0.1, 0.6)
                log(f"  {method} {path}: {reply.status}, waiting {wait:.0f}s as Retry-After says")
                time.sleep(wait)
                continue
            if reply.status in (502, 504) and retry_timeouts and attempt <= 5:
                time.sleep(min(2 ** attempt, 10))
                continue
            return reply

    def get(self, path, token=None):
        return self.call("GET", path, token=token)

    def expect(self, statuses, reply, what):
        if reply.status not in statuses:
            raise DemoError(f"{what}: answered {reply.describe()}")
        return reply

    def all_items(self, path, token=None):
        items = []
        page = 1
        while True:
            separator = "&" if "?" in path else "?"
            reply = self.expect((200,), self.get(f"{path}{separator}page_size=100&page={page}", token), f"GET {path}")
            batch = reply.get("items") or []
            items += batch
            if len(batch) < 100:
                return items
            page += 1


# ---------------------------------------------------------------------------------------------
# accounts and sessions

class Account:
    def __init__(self, demo, email_address, password, role, full_name, key=None):
        self.demo = demo
        self.email = email_address
        self.password = password
        self.role = role
        self.full_name = full_name
        self.key = key
        self.id = None
        self._token = None
        self._token_at = 0.0

    @property
    def totp_secret(self):
        return self.demo.secrets.get(self.email.lower())

    def token(self):
        # Access tokens live 15 minutes by default: sign in again well before.
        if self._token is None or time.monotonic() - self._token_at > 600:
            self._token = self.demo.sign_in(self)
            self._token_at = time.monotonic()
            self.id = self.id or jwt_claims(self._token).get("sub")
        return self._token


class Demo:
    def __init__(self):
        self.api = Gateway(os.environ.get("GATEWAY_URL") or "http://127.0.0.1:8080",
                           float(os.environ.get("DEMO_TIMEOUT") or 90))
        self.timeout = float(os.environ.get("DEMO_TIMEOUT") or 90)
        self.mail_dir = os.environ.get("DEMO_MAIL_DIR") or ""
        self.state_dir = os.environ.get("DEMO_STATE_DIR") or ""
        self.password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        self.secrets = self.load_secrets()
        root_secret = os.environ.get("BOOTSTRAP_SUPER_ADMIN_TOTP_SECRET")
        root_email = os.environ.get("BOOTSTRAP_SUPER_ADMIN_EMAIL") or "admin@lending.local"
        if root_secret:
            self.secrets[root_email.lower()] = root_secret
        self.root = Account(self, root_email,
                            os.environ.get("BOOTSTRAP_SUPER_ADMIN_PASSWORD") or "local-dev-only-root-password",
                            "super_admin", "Super Admin")
        self.staff = {role: Account(self, address, self.password, role, name) for role, address, name in STAFF}
        self.clients = {c["key"]: Account(self, c["email"], self.password, "client", c["full_name"], c["key"]) for c in CLIENTS}
        self.products = {}
        self.applications = {}
        self.loans = {}
        self.tickets = {}
        self.created = []
        self.notes = []

    # -- state kept between runs: only the TOTP secrets of accounts this script turned MFA on for

    def secrets_file(self):
        return os.path.join(self.state_dir, "demo-totp-secrets.json") if self.state_dir else ""

    def load_secrets(self):
        path = self.secrets_file()
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                return {k.lower(): v for k, v in json.load(handle).items()}
        return {}

    def save_secret(self, account, secret):
        self.secrets[account.email.lower()] = secret
        path = self.secrets_file()
        if not path:
            self.notes.append(f"MFA secret of {account.email} not saved (no DEMO_STATE_DIR): {secret}")
            return
        os.makedirs(self.state_dir, mode=0o700, exist_ok=True)
        temporary = path + ".tmp"
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
            json.dump(self.secrets, handle, indent=2, sort_keys=True)
        os.replace(temporary, path)

    def record(self, what):
        self.created.append(what)
        log(f"  created {what}")

    # -- sign-in

    def sign_in(self, account):
        body = {"email": account.email, "password": account.password}
        for _ in range(4):
            if account.totp_secret:
                body["totp"] = totp(account.totp_secret)
            reply = self.api.call("POST", "/auth/login", body)
            if reply.status == 200:
                token = reply.get("access_token")
                if jwt_claims(token).get("mfa_setup_required"):
                    self.set_up_mfa(account, token)
                    continue
                return token
            if reply.status == 401 and reply.problem_type.endswith("mfa-required"):
                if account.totp_secret and "totp" in body:
                    # A code right at the edge of its 30 s step: once more with the next one.
                    time.sleep(max(0.0, 31 - time.time() % 30))
                    continue
                raise DemoError(
                    f"{account.email} has MFA turned on and its TOTP secret is unknown here "
                    f"({self.secrets_file() or 'no DEMO_STATE_DIR'}; for the super admin set "
                    f"BOOTSTRAP_SUPER_ADMIN_TOTP_SECRET)")
            if reply.status == 403 and reply.problem_type.endswith("not-verified") and account.role == "client":
                self.verify_email(account, resend=True)
                continue
            if reply.status == 401 and account is self.root:
                raise DemoError(f"cannot sign in as the super admin {account.email}: {reply.describe()} "
                                f"(set BOOTSTRAP_SUPER_ADMIN_EMAIL and BOOTSTRAP_SUPER_ADMIN_PASSWORD to its credentials)")
            if reply.status == 401:
                raise DemoError(f"cannot sign in as {account.email}: {reply.describe()} (the account exists with another "
                                f"password? DEMO_PASSWORD, or start afresh: deploy/local/down --wipe)")
            if reply.status in (423, 429):
                raise DemoError(f"{account.email} is locked or throttled: {reply.describe()}; try again later")
            raise DemoError(f"sign-in as {account.email}: {reply.describe()}")
        raise DemoError(f"could not sign in as {account.email}")

    def set_up_mfa(self, account, token):
        log(f"  {account.email}: MFA is required for {account.role}: turning it on")
        setup = self.api.expect((200,), self.api.call("POST", "/auth/mfa/setup", {"password": account.password}, token),
                                f"MFA setup of {account.email}")
        secret = setup.get("secret")
        self.save_secret(account, secret)
        self.api.expect((204,), self.api.call("POST", "/auth/mfa/confirm", {"code": totp(secret)}, token),
                        f"MFA confirmation of {account.email}")
        self.record(f"MFA for {account.email}")

    # -- email codes (local mode: .eml files in the mail folder)

    def newest_code(self, address, since):
        if not self.mail_dir or not os.path.isdir(self.mail_dir):
            raise DemoError(f"no mail folder ({self.mail_dir or 'DEMO_MAIL_DIR unset'}): the sign-up code cannot be read")
        best = None
        for name in os.listdir(self.mail_dir):
            if not name.endswith(".eml"):
                continue
            path = os.path.join(self.mail_dir, name)
            try:
                written = os.path.getmtime(path)
                if written < since:
                    continue
                with open(path, "rb") as handle:
                    message = email.message_from_binary_file(handle, policy=email.policy.default)
            except OSError:
                continue
            recipients = str(message.get("To", "")).lower()
            if address.lower() not in recipients:
                continue
            part = message.get_body(preferencelist=("plain",))
            text = part.get_content() if part is not None else ""
            found = re.search(r"code is (\d{6})", text)
            if found and (best is None or written > best[0]):
                best = (written, found.group(1))
        return best[1] if best else None

    def wait_for_code(self, address, since):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            code = self.newest_code(address, since)
            if code:
                return code
            time.sleep(0.5)
        raise DemoError(f"no email with a code reached {address} in {self.mail_dir} within {self.timeout:.0f}s "
                        f"(is the notifications service running in local mode?)")

    def verify_email(self, account, resend, since=None):
        if resend:
            # Registered by an interrupted run: its code (valid 10 minutes) may still be in the
            # mail folder; a new one can be asked for once a minute only.
            code = self.newest_code(account.email, time.time() - 9 * 60)
            if code and self.api.call("POST", "/auth/verify-otp", {"email": account.email, "code": code}).status == 200:
                return
            since = time.time() - 1
            self.api.expect((202,), self.api.call("POST", "/auth/resend-otp", {"email": account.email}),
                            f"resending the code to {account.email}")
        code = self.wait_for_code(account.email, since)
        self.api.expect((200,), self.api.call("POST", "/auth/verify-otp", {"email": account.email, "code": code}),
                        f"verifying {account.email}")

    # -----------------------------------------------------------------------------------------
    # the steps

    def check_ready(self):
        reply = self.api.call("GET", self.api.root + "/readyz", connect_retries=0)
        if reply.status != 200:
            raise DemoError(f"{self.api.root}/readyz answered {reply.describe()}: start the stack first (deploy/local/up)")

    def ensure_staff(self):
        log("staff: one member of every role")
        root = self.root.token()
        for role, address, name in STAFF:
            account = self.staff[role]
            found = self.find_user(address, root)
            if found is None:
                reply = self.api.call("POST", "/users", {"email": address, "password": self.password, "full_name": name, "role": role},
                                      root, headers={"Idempotency-Key": f"demo-user-{role}"})
                if reply.status == 409:
                    found = self.find_user(address, root)
                else:
                    found = self.api.expect((200, 201), reply, f"creating {address}").json
                    self.record(f"{role} {address}")
            if found is None:
                raise DemoError(f"{address} exists but cannot be found with GET /users?q=")
            account.id = found.get("id")
            patch = {}
            if found.get("role") != role:
                patch["role"] = role
            if found.get("status") != "active":
                patch["status"] = "active"
            if patch:
                self.api.expect((200,), self.api.call("PATCH", f"/users/{account.id}", patch, root), f"repairing {address}")
                log(f"  repaired {address}: {patch}")
        # Every demo staff account signs in now (and turns MFA on where the stack requires it), so
        # the credentials printed at the end are known to work.
        for role, _, _ in STAFF:
            self.staff[role].token()

    def find_user(self, address, token):
        query = urllib.parse.quote(address)
        for user in self.api.all_items(f"/users?q={query}", token):
            if str(user.get("email", "")).lower() == address.lower():
                return user
        return None

    def ensure_products(self):
        log("products: one of every type")
        admin = self.staff["admin"].token()
        existing = self.api.all_items("/products", admin)
        for spec in PRODUCTS:
            matches = [p for p in existing if p.get("name") == spec["name"] and p.get("type") == spec["type"]]
            product = next((p for p in matches if p.get("active", True)), matches[0] if matches else None)
            if product is None:
                reply = self.api.call("POST", "/products", spec, admin, headers={"Idempotency-Key": f"demo-product-{spec['type']}"})
                product = self.api.expect((200, 201), reply, f"creating product {spec['name']}").json
                self.record(f"product {spec['name']} ({spec['type']})")
            elif not product.get("active", True):
                product = self.api.expect((200,), self.api.call("PATCH", f"/products/{product['id']}", {"active": True}, admin),
                                          f"re-activating {spec['name']}").json
                log(f"  re-activated product {spec['name']}")
            self.products[spec["type"]] = product

    def ensure_clients(self):
        log("clients: registered, verified, with a complete customer file")
        for spec in CLIENTS:
            account = self.clients[spec["key"]]
            reply = self.api.call("POST", "/auth/login", {"email": account.email, "password": account.password})
            if reply.status == 200:
                account._token, account._token_at = reply.get("access_token"), time.monotonic()
            elif reply.status == 401 and not reply.problem_type.endswith("mfa-required"):
                since = time.time() - 1
                registered = self.api.call("POST", "/auth/register",
                                           {"email": account.email, "password": account.password, "full_name": spec["full_name"],
                                            "phone": spec["profile"]["phone"]},
                                           headers={"Idempotency-Key": f"demo-client-{spec['key']}"})
                if registered.status == 409:
                    raise DemoError(f"{account.email} exists with another password: wipe the stack (deploy/local/down --wipe)")
                self.api.expect((201,), registered, f"registering {account.email}")
                self.record(f"client {account.email}")
                self.verify_email(account, resend=False, since=since)
            elif reply.status == 403 and reply.problem_type.endswith("not-verified"):
                self.verify_email(account, resend=True)
            else:
                self.api.expect((200,), reply, f"sign-in as {account.email}")
            token = account.token()
            for section in ("profile", "financial", "employment"):
                self.ensure_section(account, section, spec[section], token)

    def ensure_section(self, account, section, wanted, token):
        current = self.api.get(f"/me/{section}", token)
        if current.status == 200 and all(self.same_value(current.get(k), v) for k, v in wanted.items()):
            return
        if current.status not in (200, 404):
            self.api.expect((200, 404), current, f"GET /me/{section} of {account.email}")
        self.api.expect((200, 201), self.api.call("PUT", f"/me/{section}", wanted, token), f"PUT /me/{section} of {account.email}")
        if current.status == 404:
            self.record(f"{section} of {account.email}")
        else:
            log(f"  updated the {section} of {account.email}")

    @staticmethod
    def same_value(a, b):
        if isinstance(b, str) and isinstance(a, str) and re.fullmatch(r"-?\d+(\.\d+)?", b):
            try:
                return float(a) == float(b)
            except ValueError:
                return False
        return a == b

    # -- applications

    def detail(self, application_id, token=None):
        token = token or self.staff["admin"].token()
        reply = self.api.get(f"/applications/{application_id}", token)
        return self.api.expect((200,), reply, f"GET application {application_id}").json

    def ensure_applications(self):
        log("applications: submitted, documents uploaded")
        mine = {}
        for key, account in self.clients.items():
            mine[key] = self.api.all_items("/applications", account.token())
        for spec in APPLICATIONS:
            account = self.clients[spec["client"]]
            again = re.compile(re.escape(spec["purpose"]) + r" \((\d+)\)")
            candidates = [a for a in mine[spec["client"]]
                          if a.get("purpose") == spec["purpose"] or again.fullmatch(a.get("purpose") or "")]
            wanted = self.wanted_status(spec)
            chosen = next((a for a in candidates if a.get("status") == wanted and self.reachable(spec, a)), None)
            chosen = chosen or next((a for a in candidates if self.reachable(spec, a)), None)
            if chosen is None:
                # None yet, or every one has moved past the state it is for (someone clicked
                # through the demo): a new one, so every state is there again.
                number = len(candidates) + 1
                purpose = spec["purpose"] if number == 1 else f"{spec['purpose']} ({number})"
                body = {"product_id": self.products[spec["product"]]["id"], "amount": spec["amount"], "term_months": spec["term"],
                        "purpose": purpose}
                key = f"demo-application-{spec['slug']}" + ("" if number == 1 else f"-{number}")
                reply = self.api.call("POST", "/applications", body, account.token(), headers={"Idempotency-Key": key})
                chosen = self.api.expect((200, 201, 202), reply, f"submitting {spec['slug']}").json
                self.record(f"application {spec['slug']} ({spec['amount']}, {spec['product']})")
            self.applications[spec["slug"]] = chosen
        for spec in APPLICATIONS:
            self.upload_documents(spec, spec["documents"])

    @staticmethod
    def wanted_status(spec):
        return {"rejected_automatically": "rejected"}.get(spec["target"], spec["target"])

    ROLE_ORDER = ["analyst", "manager", "director"]

    def reachable(self, spec, application):
        """Whether `application` is in its target state or can still be driven there."""
        status = application.get("status")
        early = {"submitted", "under_analysis"}
        target = spec["target"]
        if target == "pending_approval":
            if status in early:
                return True
            if status != "pending_approval":
                return False
            stage = self.open_stage(self.detail(application["id"]))
            wanted = spec.get("at_role", "analyst")
            if stage is None or stage.get("role") not in self.ROLE_ORDER or wanted not in self.ROLE_ORDER:
                return stage is not None
            return self.ROLE_ORDER.index(stage["role"]) <= self.ROLE_ORDER.index(wanted)
        allowed = {
            "documents_requested": {"pending_approval", "documents_requested"},
            "approved": {"pending_approval", "approved"},
            "rejected": {"pending_approval", "rejected"},
            "withdrawn": {"pending_approval", "documents_requested", "withdrawn"},
            "disbursed": {"pending_approval", "approved", "disbursed"},
            "closed": {"pending_approval", "approved", "disbursed", "closed"},
            "rejected_automatically": {"pending_approval", "rejected"},
        }[target]
        return status in early or status in allowed

    def upload_documents(self, spec, types):
        if not types:
            return
        account = self.clients[spec["client"]]
        application = self.detail(self.applications[spec["slug"]]["id"], account.token())
        if application.get("status") not in ("submitted", "under_analysis", "pending_approval", "documents_requested", "approved"):
            return
        have = {d.get("document_type") for d in application.get("documents") or []}
        for document_type in types:
            if document_type in have:
                continue
            label = document_type.replace("_", " ")
            pdf = demo_pdf(f"{account.full_name}: {label}", [
                "Demo document generated by deploy/local/demo.",
                f"Application purpose: {spec['purpose']}",
                "LOCAL DEVELOPMENT ONLY - not a real document.",
            ])
            boundary = "demo" + hashlib.sha256(pdf).hexdigest()[:24]
            body = (
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\n{document_type}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{document_type}.pdf\"\r\n"
                f"Content-Type: application/pdf\r\n\r\n"
            ).encode() + pdf + f"\r\n--{boundary}--\r\n".encode()
            reply = self.api.call("POST", f"/applications/{application['id']}/documents", token=account.token(), raw=body,
                                  content_type=f"multipart/form-data; boundary={boundary}", retry_timeouts=False)
            self.api.expect((201,), reply, f"uploading {document_type} to {spec['slug']}")
            self.record(f"document {document_type} of {spec['slug']}")

    def wait_analysed(self, spec):
        """The application once the analysis is done (pending_approval, or rejected by the scorecard)."""
        application_id = self.applications[spec["slug"]]["id"]
        deadline = time.monotonic() + self.timeout
        while True:
            application = self.detail(application_id)
            if application.get("status") not in ("submitted", "under_analysis"):
                return application
            if time.monotonic() > deadline:
                raise DemoError(f"{spec['slug']} is still {application.get('status')} after {self.timeout:.0f}s: "
                                f"are the analysis workers running? (logs: .run/logs/analysis-worker-*.log)")
            time.sleep(0.5)

    def member_for(self, role):
        return self.staff.get(role)

    def open_stage(self, application):
        return next((s for s in application.get("stages") or [] if s.get("status") == "open"), None)

    def give_to_demo_member(self, application, stage):
        """Hands the open stage to the demo member of its role (it may have gone to another one of
        that role, or to nobody yet); False when that cannot be done."""
        member = self.member_for(stage.get("role"))
        if member is None or same_id(stage.get("assignee_id"), member.id):
            return member is not None
        deciders = {str(s.get("decided_by")).lower() for s in application.get("stages") or [] if s.get("decided_by")}
        if str(member.id).lower() in deciders:
            return False
        deadline = time.monotonic() + 20
        while True:
            reply = self.api.call("POST", f"/approvals/tasks/{stage['id']}/reassign", {"assignee_id": member.id},
                                  self.staff["admin"].token())
            if reply.status == 200:
                log(f"  gave the {stage['role']} stage of application {application['id']} to {member.email}")
                return True
            # The approvals service learns of new staff from auth's events: a moment after creation.
            if reply.status == 422 and time.monotonic() < deadline:
                time.sleep(1)
                continue
            log(f"  could not give the {stage['role']} stage to {member.email}: {reply.describe()}")
            return False

    def decide(self, spec, decision, comment=None, documents=None):
        """One decision on the open stage, by the demo member of its role (or an admin in their place)."""
        application = self.detail(self.applications[spec["slug"]]["id"])
        stage = self.open_stage(application)
        if stage is None:
            raise DemoError(f"{spec['slug']}: no open stage to decide ({application.get('status')})")
        body = {"decision": decision}
        if comment:
            body["comment"] = comment
        if documents:
            body["documents"] = documents
        # The demo member of the stage's role; an admin, then the super admin, in their place when
        # the stage cannot be handed to them (maker-checker: nobody decides two levels).
        deciders = [self.member_for(stage["role"])] if self.give_to_demo_member(application, stage) else []
        deciders += [self.staff["admin"], self.root]
        last = None
        for decider in deciders:
            reply = self.api.call("POST", f"/applications/{application['id']}/decisions", body, decider.token())
            if reply.status == 200:
                log(f"  {spec['slug']}: {decision} by {decider.email} at the {stage['role']} level -> {reply.get('status')}")
                return reply.json
            missing = (self.detail(application["id"]).get("missing_documents") or []) if reply.status == 422 else []
            if decision == "approve" and missing:
                # The product's required documents bind the final approval: the client uploads them.
                self.upload_documents(spec, missing)
                reply = self.api.call("POST", f"/applications/{application['id']}/decisions", body, decider.token())
                if reply.status == 200:
                    log(f"  {spec['slug']}: {decision} by {decider.email} at the {stage['role']} level -> {reply.get('status')}")
                    return reply.json
            last = reply
            if reply.status != 403:
                break
        raise DemoError(f"{spec['slug']}: {decision} at the {stage['role']} level refused: {last.describe() if last else '?'}")

    def drive(self, spec):
        """Moves one application towards its target state from wherever it is."""
        target = spec["target"]
        slug = spec["slug"]
        account = self.clients[spec["client"]]
        for _ in range(12):
            application = self.wait_analysed(spec)
            status = application.get("status")
            stage = self.open_stage(application)
            roles = [s.get("role") for s in application.get("stages") or []]
            if target == "rejected_automatically":
                if status == "pending_approval":
                    self.notes.append(f"{slug}: the scorecard did not decline it; rejected by the analyst instead")
                    self.decide(spec, "reject", "Repayments would take most of the monthly income.")
                    continue
                return application
            if status == target and target != "pending_approval":
                return application
            if target == "withdrawn" and status in ("pending_approval", "documents_requested"):
                reply = self.api.call("POST", f"/applications/{application['id']}/withdraw", token=account.token())
                self.api.expect((200,), reply, f"withdrawing {slug}")
                log(f"  {slug}: withdrawn by {account.email}")
                continue
            if status == "pending_approval" and stage is not None:
                if target == "pending_approval":
                    wanted_role = spec.get("at_role", "analyst")
                    if stage.get("role") == wanted_role or wanted_role not in roles:
                        if wanted_role not in roles:
                            self.notes.append(f"{slug}: the approval policy has no {wanted_role} level for it; "
                                              f"left at the {stage.get('role')} level")
                        self.give_to_demo_member(application, stage)
                        return self.detail(application["id"])
                    self.decide(spec, "approve", "Meets the criteria at this level.")
                elif target == "documents_requested":
                    self.decide(spec, "request_documents", "Please upload the last six months of business bank statements.",
                                spec.get("request") or ["bank_statement"])
                elif target == "rejected":
                    self.decide(spec, "reject", "Total debt after consolidation stays too high for this product.")
                elif target in ("approved", "disbursed", "closed"):
                    self.decide(spec, "approve", "Affordable, stable income, documents in order." if stage.get("role") == "analyst"
                                else "Agreed with the previous level.")
                else:
                    raise DemoError(f"{slug}: unknown target {target}")
                continue
            if status == "approved" and target in ("disbursed", "closed"):
                reply = self.api.call("POST", f"/applications/{application['id']}/disburse", {}, self.staff["admin"].token(),
                                      retry_timeouts=False)
                loan = self.api.expect((200, 201), reply, f"disbursing {slug}").json
                self.record(f"loan {loan.get('id')} for {slug} ({loan.get('principal')})")
                continue
            if status == "disbursed" and target == "closed":
                return application
            self.notes.append(f"{slug}: is {status}, wanted {target}; left as it is")
            return application
        raise DemoError(f"{slug}: did not reach {target}")

    def loan_of(self, spec):
        account = self.clients[spec["client"]]
        application_id = self.applications[spec["slug"]]["id"]
        for loan in self.api.all_items("/loans", account.token()):
            if same_id(loan.get("application_id"), application_id):
                return loan
        raise DemoError(f"{spec['slug']}: disbursed, but its loan is not among {account.email}'s loans")

    def ensure_payments(self, spec):
        """The client pays until `payments` instalments are paid. Each payment is the loan's
        `next_due.amount`; the processing fee is taken first from the first payment, so that
        instalment may need a second, smaller one."""
        account = self.clients[spec["client"]]
        loan = self.loan_of(spec)
        prefix = f"DEMO-{spec['slug'].upper()}-"
        made = [p.get("reference") or "" for p in self.api.all_items(f"/loans/{loan['id']}/payments", account.token())]
        numbers = [int(r[len(prefix):]) for r in made if r.startswith(prefix) and r[len(prefix):].isdigit()]
        number = max(numbers, default=0)
        for _ in range(3 * spec.get("payments", 0)):
            loan = self.api.expect((200,), self.api.get(f"/loans/{loan['id']}", account.token()), "GET loan").json
            schedule = self.api.all_items(f"/loans/{loan['id']}/schedule", account.token())
            if sum(1 for i in schedule if i.get("status") == "paid") >= spec.get("payments", 0):
                break
            if loan.get("status") != "active" or not loan.get("next_due"):
                break
            number += 1
            reference = f"{prefix}{number}"
            amount = loan["next_due"]["amount"]
            reply = self.api.call("POST", f"/loans/{loan['id']}/payments", {"amount": amount, "reference": reference}, account.token(),
                                  headers={"Idempotency-Key": f"demo-payment-{spec['slug']}-{number}"})
            self.api.expect((200, 201), reply, f"paying {amount} on {spec['slug']}")
            self.record(f"payment {reference} of {amount} on {spec['slug']}")
        self.loans[spec["slug"]] = loan

    def ensure_closed(self, spec):
        account = self.clients[spec["client"]]
        loan = self.loan_of(spec)
        if loan.get("status") == "active":
            quote = self.api.expect((200,), self.api.get(f"/loans/{loan['id']}/pre-closure-quote", account.token()),
                                    f"pre-closure quote of {spec['slug']}").json
            reply = self.api.call("POST", f"/loans/{loan['id']}/pre-close",
                                  {"amount": quote["total"], "reference": f"DEMO-{spec['slug'].upper()}-PRECLOSE"}, account.token())
            self.api.expect((200,), reply, f"pre-closing {spec['slug']}")
            self.record(f"pre-closure of {spec['slug']} ({quote['total']})")
            loan = self.loan_of(spec)
        self.loans[spec["slug"]] = loan
        deadline = time.monotonic() + self.timeout
        while True:
            application = self.detail(self.applications[spec["slug"]]["id"])
            if application.get("status") == "closed":
                return application
            if time.monotonic() > deadline:
                raise DemoError(f"{spec['slug']}: its loan is closed but the application is still {application.get('status')}")
            time.sleep(0.5)

    def run_applications(self):
        self.ensure_applications()
        log("applications: analysed, decided, disbursed, repaid")
        for spec in APPLICATIONS:
            application = self.drive(spec)
            if spec["target"] in ("disbursed", "closed") and application.get("status") in ("disbursed", "closed"):
                self.ensure_payments(spec)
            if spec["target"] == "closed" and application.get("status") in ("disbursed", "closed"):
                application = self.ensure_closed(spec)
            self.applications[spec["slug"]] = self.detail(application["id"])

    # -- tickets

    def ensure_tickets(self):
        log("tickets: opened by clients")
        for spec in TICKETS:
            account = self.clients[spec["client"]]
            found = next((t for t in self.api.all_items("/tickets", account.token()) if t.get("subject") == spec["subject"]), None)
            if found is None:
                body = {"subject": spec["subject"], "description": spec["description"], "priority": spec["priority"]}
                if spec["application"]:
                    body["application_id"] = self.applications[spec["application"]]["id"]
                reply = self.api.call("POST", "/tickets", body, account.token(),
                                      headers={"Idempotency-Key": f"demo-ticket-{spec['client']}-{spec['priority']}"})
                found = self.api.expect((200, 201), reply, f"opening the ticket {spec['subject']!r}").json
                self.record(f"ticket {spec['subject']!r}")
            if found.get("status") == "resolved":
                # Someone resolved it while clicking through the demo: its client opens it again.
                reply = self.api.call("PATCH", f"/tickets/{found['id']}", {"status": "open"}, account.token())
                if reply.status == 200:
                    found = reply.json
                    log(f"  ticket {spec['subject']!r}: reopened")
                else:
                    self.notes.append(f"ticket {spec['subject']!r} is resolved and could not be reopened: {reply.describe()}")
            if spec.get("progress") and found.get("status") == "open":
                found = self.work_on_ticket(found, spec)
            self.tickets[spec["subject"]] = found

    def work_on_ticket(self, ticket, spec):
        """The assignee answers one ticket and takes it in progress (the others stay open)."""
        assignee = (ticket.get("assignee") or {}).get("id")
        worker = self.staff["admin"] if same_id(assignee, self.staff["admin"].id) else self.root
        detail = self.api.expect((200,), self.api.get(f"/tickets/{ticket['id']}", worker.token()), "GET ticket").json
        if not any(c.get("body") == spec["progress"] for c in detail.get("comments") or []):
            reply = self.api.call("POST", f"/tickets/{ticket['id']}/comments", {"body": spec["progress"]}, worker.token(),
                                  headers={"Idempotency-Key": f"demo-ticket-comment-{spec['client']}"})
            self.api.expect((200, 201), reply, "commenting on a ticket")
            self.record(f"comment on {spec['subject']!r}")
        reply = self.api.call("PATCH", f"/tickets/{ticket['id']}", {"status": "in_progress"}, worker.token())
        if reply.status == 200:
            log(f"  ticket {spec['subject']!r}: in progress ({worker.email})")
            return reply.json
        self.notes.append(f"ticket {spec['subject']!r} left open: {reply.describe()}")
        return ticket

    # -- what there is now

    def summary(self):
        admin = self.staff["admin"].token()
        states = {}
        for spec in APPLICATIONS:
            states.setdefault(self.applications[spec["slug"]].get("status"), []).append(spec["slug"])
        missing = [s for s in WANTED_STATES if s not in states]
        totals = {}
        for status in WANTED_STATES:
            reply = self.api.expect((200,), self.api.get(f"/applications?status={status}&page_size=1", admin), "GET /applications")
            totals[status] = reply.get("total")
        notifications = {}
        for key, account in self.clients.items():
            reply = self.api.get("/notifications?page_size=1", account.token())
            notifications[key] = reply.get("total") if reply.status == 200 else "?"
        return states, missing, totals, notifications

    def print_report(self):
        states, missing, totals, notifications = self.summary()
        out = sys.stdout
        base = self.api.root
        print("", file=out)
        created = f" ({len(self.created)} things created this run)" if self.created else ""
        print(f"Demo data is in place{created}.", file=out)
        if not self.created:
            print("Nothing new was created: everything was there already.", file=out)
        print(f"GATEWAY_URL={base}", file=out)
        print(f"# the web front end: {base}/ (site), {base}/app/ (portal, console, dashboard)", file=out)
        print("", file=out)
        print("Products:", file=out)
        for spec in PRODUCTS:
            product = self.products[spec["type"]]
            active = "" if product.get("active", True) else " (inactive)"
            print(f"  {spec['type']:<10} {spec['name']:<28} {spec['min_amount']}-{spec['max_amount']} "
                  f"over {spec['min_term_months']}-{spec['max_term_months']} months at {spec['annual_rate']} %{active}", file=out)
        print("", file=out)
        print("Applications:", file=out)
        for spec in APPLICATIONS:
            application = self.applications[spec["slug"]]
            status = application.get("status")
            stage = self.open_stage(application)
            if stage is not None and status == "pending_approval":
                status += f" ({stage.get('role')})"
            elif spec["target"] == "rejected_automatically" and status == "rejected":
                status += " (scorecard)"
            loan = self.loans.get(spec["slug"])
            extra = ""
            if loan and loan.get("status") == "active":
                extra = f" [loan: {loan.get('outstanding_principal')} outstanding]"
            elif loan:
                extra = " [loan: pre-closed]"
            print(f"  {status:<30} {spec['amount']:>10} {spec['product']:<9} "
                  f"{self.clients[spec['client']].full_name:<18} {application.get('purpose')}{extra}", file=out)
        print("  all applications on the stack, by state: "
              + ", ".join(f"{k} {v}" for k, v in totals.items()), file=out)
        print("", file=out)
        print("Tickets: " + "; ".join(f"{t.get('subject')!r} ({t.get('priority')}, {t.get('status')})"
                                           for t in self.tickets.values()), file=out)
        print("Notifications in the clients' inboxes: " + ", ".join(f"{self.clients[k].full_name} {v}"
                                                                    for k, v in notifications.items()), file=out)
        print("", file=out)
        print("==== Demo accounts: LOCAL-DEV ONLY passwords, never use them anywhere else ====", file=out)
        print(f"  (sign in at {base}/app/)", file=out)
        rows = [("super_admin", self.root.email, self.root.password, "bootstrap super admin")]
        rows += [(role, self.staff[role].email, self.staff[role].password, self.staff[role].full_name) for role, _, _ in STAFF]
        rows += [("client", a.email, a.password, a.full_name) for a in self.clients.values()]
        for role, address, password, name in rows:
            print(f"  {role:<12} {address:<32} {password:<30} {name}", file=out)
        mfa = [a for a in [self.root] + list(self.staff.values()) if a.totp_secret]
        for account in mfa:
            print(f"  TOTP secret of {account.email} (add it to an authenticator app): {account.totp_secret}", file=out)
        if mfa:
            print(f"  (TOTP secrets kept in {self.secrets_file()})", file=out)
        print("==== LOCAL-DEV ONLY ====", file=out)
        for note in self.notes:
            print(f"note: {note}", file=out)
        if missing:
            raise DemoError("no demo application is in these states: " + ", ".join(missing))

    def run(self):
        started = time.monotonic()
        log(f"demo data for {self.api.root}")
        self.check_ready()
        self.ensure_staff()
        self.ensure_products()
        self.ensure_clients()
        self.run_applications()
        self.ensure_tickets()
        self.print_report()
        log(f"done in {time.monotonic() - started:.0f}s, {self.api.requests} requests")


def main():
    try:
        Demo().run()
    except DemoError as error:
        print(f"[{time.strftime('%H:%M:%S')}] ERROR: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The admin page in a real browser (headless Chromium via Selenium).

Opens /admin, gives it the admin key when it asks, and checks that the queue's counts shown
equal the admin API's, live (a job queued after the page loaded shows up without a reload);
that the pause switch pauses and resumes the queue; and that a failed job's Retry button
brings it back: the worker's endpoint calls go through a gate served here that answers 400
(a final error: the job fails at once) until the test lets them through to the local
endpoint, so the retried job completes. Every state is waited for, never timed. Run by
scripts/browser-test.sh after web_page_test.py, with the same stack (ADMIN_API_KEY set).
"""
import json
import os
import sys
import threading
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from endpoint_gate import ForwardingGate, check, results, serve_gate

BASE_URL = os.environ["BASE_URL"]
ADMIN_KEY = os.environ["ADMIN_API_KEY"]
POSTER = os.environ["POSTER"]
SCREENSHOT = os.environ.get("SCREENSHOT", "admin-page.png")
GATE_PORT = int(os.environ["GATE_PORT"])
UPSTREAM = os.environ["UPSTREAM"]
WAIT = 120  # seconds: the bound on every wait for a state

failing = threading.Event()


class FailingGate(ForwardingGate):
    """While `failing` is set, prediction calls (POST) get a 400; otherwise everything is forwarded."""

    upstream = UPSTREAM

    def intercept(self, body):
        if self.command == "POST" and failing.is_set():
            reply = json.dumps({"error": {"code": 400, "message": "refused by the admin test", "status": "INVALID_ARGUMENT"}}).encode()
            return 400, {"Content-Type": "application/json"}, reply
        return None


gate_server = serve_gate(GATE_PORT, FailingGate)


def api(method, path, body=None, content_type="application/json", key=None):
    headers = {"Content-Type": content_type}
    if key:
        headers["Authorization"] = "Bearer " + key
    request = urllib.request.Request(BASE_URL + path, data=body, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def admin(method, path, body=None):
    return api(method, path, None if body is None else json.dumps(body).encode(), key=ADMIN_KEY)


def queue_job():
    boundary = "admin-test-boundary"
    with open(POSTER, "rb") as handle:
        poster = handle.read()
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode() + poster + f"\r\n--{boundary}--\r\n".encode()
    file_id = api("POST", "/api/upload", form, f"multipart/form-data; boundary={boundary}")["file_id"]
    body = json.dumps({"file_id": file_id, "num_layers": 2, "resolution": 640}).encode()
    return api("POST", "/api/decompose", body)["job_id"]


def wait_until(condition, what):
    deadline = time.time() + WAIT
    while not condition():
        if time.time() > deadline:
            raise TimeoutError(what)
        time.sleep(0.1)


def text(selector):
    """The element's text read in one step (the page re-renders counts and lists as events arrive), or None."""
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector)


def shown_count(name):
    shown = text(f"#count-{name} b")
    return int(shown) if shown and shown.isdigit() else None


def counts_match():
    """Every count the API reports is the one the page shows (both read now)."""
    counts = admin("GET", "/admin/api/queue")["counts"]
    return all(shown_count(name) == value for name, value in counts.items())


def job_status(job_id):
    return admin("GET", f"/admin/api/jobs/{job_id}")["job"]["status"]


options = Options()
for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400"):
    options.add_argument(flag)
options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.get(BASE_URL + "/admin")
    check("Decomposer admin" in driver.title, "the admin page loads")
    check(driver.find_element(By.ID, "auth").is_displayed(), "it asks for the admin key")
    driver.find_element(By.ID, "key").send_keys(ADMIN_KEY)
    driver.find_element(By.ID, "save-key").click()
    wait_until(lambda: driver.find_element(By.ID, "live").text == "live", "the page's event stream is live")
    check(not driver.find_element(By.ID, "auth").is_displayed(), "the key is accepted")
    wait_until(counts_match, "the page shows the API's counts")
    check(True, f"the counts shown equal the API's ({admin('GET', '/admin/api/queue')['counts']})")
    check("$" in driver.find_element(By.ID, "cost").text, f"today's cost is shown ({driver.find_element(By.ID, 'cost').text!r})")

    # Pause: the switch pauses the queue with the message, and resumes it.
    driver.find_element(By.ID, "pause-message").clear()
    driver.find_element(By.ID, "pause-message").send_keys("Browser test pause")
    driver.find_element(By.ID, "pause-switch").click()
    wait_until(lambda: (admin("GET", "/admin/api/queue")["operator_pause"] or {}).get("message") == "Browser test pause", "paused")
    wait_until(lambda: "Browser test pause" in (text("#pause-state") or ""), "the page shows the pause")
    check(True, "the pause switch pauses the queue with its message, and the page says so")
    driver.find_element(By.ID, "pause-switch").click()
    wait_until(lambda: admin("GET", "/admin/api/queue")["operator_pause"] is None, "resumed")
    check(True, "the switch resumes it")

    # A job queued and failed after the page loaded: the counts follow live, the job is listed with its error.
    failing.set()
    job_id = queue_job()
    wait_until(lambda: job_status(job_id) == "failed", "the job fails at the gate")
    wait_until(counts_match, "the page's counts follow the failure")
    check(True, "the counts follow a job that was queued and failed, without a reload")
    driver.find_element(By.CSS_SELECTOR, '#tabs button[data-status="failed"]').click()
    row = f'#jobs tr[data-job="{job_id}"]'
    wait_until(lambda: text(row + " td.error"), "the failed job is listed with its error")
    error_text = text(row + " td.error")
    check("bad_request" in error_text or "400" in error_text, f"the failed job shows its error ({error_text!r})")
    driver.save_screenshot(SCREENSHOT)
    print(f"screenshot: {SCREENSHOT}")

    # Retry: the endpoint answers again, the job comes back and completes.
    failing.clear()
    driver.execute_script("document.querySelector(arguments[0]).click();", row + " button.retry")
    wait_until(lambda: job_status(job_id) in ("queued", "processing", "completed"), "the retried job is back")
    check(True, "Retry brings the failed job back")
    wait_until(lambda: job_status(job_id) == "completed", "the retried job completes")
    check(True, "and it completes")
    wait_until(lambda: text(row) is None, "the failed list drops it")
    check(True, "the failed list no longer shows it")
    wait_until(counts_match, "the counts settle")
    check(True, "the counts settle on the API's")
except Exception as error:  # a timeout or a missing element is a failed check, with a picture of why
    check(False, f"the admin page works end to end ({type(error).__name__}: {error})")
    driver.save_screenshot(SCREENSHOT.replace(".png", "-failure.png"))
finally:
    failing.clear()
    driver.quit()
    gate_server.shutdown()

print(f"admin page test: {results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)

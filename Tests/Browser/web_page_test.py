"""The upload web page in a real browser (headless Chromium via Selenium).

Uploads the sample poster, waits for the job to complete, checks that every
layer image loaded and that toggling a layer hides it in the stacked preview,
and saves a screenshot. Then a job queued behind a busy worker: the status line
says "N ahead of you, about X s", then "Next in line, about X s", then the
processing view once the worker starts it. The worker (MAX_CONCURRENT_JOBS=1)
calls the endpoint through a gate served here, opened one call at a time, so
every state is waited for, never timed. Run by scripts/browser-test.sh, which
starts the stack.
"""
import json
import os
import re
import sys
import threading
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

from endpoint_gate import ForwardingGate, check, results, serve_gate
from layout_and_split_checks import check_controls_fit, check_cost_chart, check_split, reset_viewport

BASE_URL = os.environ["BASE_URL"]
POSTER = os.environ["POSTER"]
SCREENSHOT = os.environ.get("SCREENSHOT", "web-page.png")
GATE_PORT = int(os.environ["GATE_PORT"])
UPSTREAM = os.environ["UPSTREAM"]
LAYERS = 4
WAIT = 120  # seconds: the bound on every wait for a state

class Gate:
    """Lets the worker's endpoint calls through: all of them while open, else one per allow()."""

    def __init__(self):
        self.condition = threading.Condition()
        self.allowance = None  # None: open
        self.held = 0  # calls waiting at the gate now
        self.passed = 0  # calls let through so far

    def close(self):
        with self.condition:
            self.allowance = 0

    def allow(self, count=1):
        with self.condition:
            self.allowance = (self.allowance or 0) + count
            self.condition.notify_all()

    def open(self):
        with self.condition:
            self.allowance = None
            self.condition.notify_all()

    def enter(self):
        with self.condition:
            self.held += 1
            self.condition.notify_all()
            self.condition.wait_for(lambda: self.allowance is None or self.allowance > 0, timeout=2 * WAIT)
            if self.allowance:
                self.allowance -= 1
            self.held -= 1
            self.passed += 1
            self.condition.notify_all()

    def wait_held(self, count):
        with self.condition:
            return self.condition.wait_for(lambda: self.held == count, timeout=WAIT)

    def let_one_through(self):
        """Lets the held call through and waits until the worker's next call is held."""
        with self.condition:
            passed = self.passed
        self.allow(1)
        with self.condition:
            return self.condition.wait_for(lambda: self.passed > passed and self.held == 1, timeout=WAIT)


gate = Gate()


class GateHandler(ForwardingGate):
    """Forwards to the local endpoint; prediction calls (POST) wait at the gate first."""

    upstream = UPSTREAM

    def intercept(self, body):
        if self.command == "POST":
            gate.enter()
        return None


gate_server = serve_gate(GATE_PORT, GateHandler)


def api(method, path, body=None, content_type="application/json"):
    request = urllib.request.Request(BASE_URL + path, data=body, method=method, headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def upload_poster():
    boundary = "browser-test-boundary"
    with open(POSTER, "rb") as handle:
        poster = handle.read()
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode() + poster + f"\r\n--{boundary}--\r\n".encode()
    return api("POST", "/api/upload", form, f"multipart/form-data; boundary={boundary}")["file_id"]


def wait_until(condition, what):
    deadline = time.time() + WAIT
    while not condition():
        if time.time() > deadline:
            raise TimeoutError(what)
        time.sleep(0.1)


def status_text():
    return driver.find_element(By.ID, "status").text


def expected_queue_text(job):
    """What the page must say for the job as the API sees it now, or None when it has no ETA yet."""
    if job["status"] != "queued" or not isinstance(job.get("position"), int) or job.get("eta_seconds") is None:
        return None
    ahead = job["position"] - 1
    line = "Next in line" if ahead == 0 else f"{ahead} ahead of you"
    return f"0% · {line}, about {job['eta_seconds']} s"


def page_shows_place(job_id):
    """The page's status line equals the API's position and ETA for the job (both read now)."""
    expected = expected_queue_text(api("GET", f"/api/jobs/{job_id}"))
    return expected is not None and status_text() == expected


options = Options()
for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400"):
    options.add_argument(flag)
options.binary_location = "/usr/bin/chromium"
DOWNLOADS = os.path.join(os.path.dirname(os.path.abspath(SCREENSHOT)), "downloads")
os.makedirs(DOWNLOADS, exist_ok=True)
options.add_experimental_option("prefs", {"download.default_directory": DOWNLOADS, "download.prompt_for_download": False})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.get(BASE_URL + "/")
    check("Poster layers" in driver.title, "the page loads")
    file_input = driver.find_element(By.ID, "file")
    driver.execute_script("arguments[0].hidden = false;", file_input)
    file_input.send_keys(os.path.abspath(POSTER))
    Select(driver.find_element(By.ID, "layers")).select_by_value(str(LAYERS))
    Select(driver.find_element(By.ID, "resolution")).select_by_value("640")
    WebDriverWait(driver, 10).until(ready.element_to_be_clickable((By.ID, "go"))).click()

    WebDriverWait(driver, 180).until(ready.visibility_of_element_located((By.ID, "results")))
    check("100%" in driver.find_element(By.ID, "status").text, "the progress bar reached 100%")
    images = driver.find_elements(By.CSS_SELECTOR, "img.layer-image")
    check(len(images) == LAYERS, f"{LAYERS} layers in the gallery (got {len(images)})")
    deadline = time.time() + 30
    while time.time() < deadline and not all(
        driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0;", image) for image in images
    ):
        time.sleep(0.2)
    loaded = [driver.execute_script("return arguments[0].naturalWidth;", image) for image in images]
    check(all(width > 0 for width in loaded), f"every layer image loaded (widths {loaded})")
    downloads = driver.find_elements(By.CSS_SELECTOR, ".layer a[download]")
    check(len(downloads) == LAYERS, "a download button per layer")
    # Download ZIP: fetched with the page's key (none here) and saved from a blob URL as <job id>.zip.
    for name in os.listdir(DOWNLOADS):
        os.remove(os.path.join(DOWNLOADS, name))
    driver.find_element(By.CSS_SELECTOR, '#exports button[data-format="zip"]').click()
    deadline = time.time() + 60
    while time.time() < deadline and not [n for n in os.listdir(DOWNLOADS) if n.endswith(".zip")]:
        time.sleep(0.2)
    saved = [n for n in os.listdir(DOWNLOADS) if n.endswith(".zip")]
    check(len(saved) == 1 and os.path.getsize(os.path.join(DOWNLOADS, saved[0])) > 0, f"Download ZIP saves the export ({saved})")

    first_toggle = driver.find_element(By.CSS_SELECTOR, ".layer input[type=checkbox]")
    first_toggle.click()
    stacked = driver.find_element(By.CSS_SELECTOR, '#stack img[data-layer="0"]')
    check(not stacked.is_displayed(), "unticking a layer hides it in the stacked preview")
    first_toggle.click()
    check(stacked.is_displayed(), "ticking it again shows it")
    chart = driver.find_elements(By.CSS_SELECTOR, "#chart svg rect")
    check(len(chart) == 7, f"the cost chart has 7 days (got {len(chart)})")
    driver.save_screenshot(SCREENSHOT)
    print(f"screenshot: {SCREENSHOT}")
    check_cost_chart(driver, check)
    for width in (1200, 390):
        check_controls_fit(driver, check, width)
    reset_viewport(driver)
    check_split(driver, check, BASE_URL, LAYERS)

    # Queued behind a busy worker: its one call slot holds a call at the closed gate.
    gate.close()
    file_id = upload_poster()
    blockers = [api("POST", "/api/decompose", json.dumps({"file_id": file_id, "num_layers": 2, "resolution": 640}).encode())["job_id"]
                for _ in range(4)]
    check(gate.wait_held(1), "the worker's one call waits at the closed gate")
    watched = "return socket ? socket.url : '';"
    before = driver.execute_script(watched)
    file_input.send_keys(os.path.abspath(POSTER))
    WebDriverWait(driver, 10).until(ready.element_to_be_clickable((By.ID, "go"))).click()
    wait_until(lambda: driver.execute_script(watched) != before, "the page watches its new job")
    job_id = re.search(r"/ws/status/([0-9a-f-]{36})", driver.execute_script(watched)).group(1)
    check(job_id not in blockers, f"the page watches its own job {job_id}")
    wait_until(lambda: page_shows_place(job_id), "the page shows the job's place")
    shown = status_text()
    check(re.fullmatch(r"0% · [1-9]\d* ahead of you, about \d+ s", shown) is not None,
          f"a job behind others shows how many are ahead and the ETA ({shown!r})")
    # One call at a time: the job moves up until it is next in line (it cannot be claimed before).
    while api("GET", f"/api/jobs/{job_id}").get("position", 0) > 1:
        if not gate.let_one_through():
            raise TimeoutError("the worker's next call did not come")
    wait_until(lambda: page_shows_place(job_id), "the page shows next in line")
    shown = status_text()
    check(re.fullmatch(r"0% · Next in line, about \d+ s", shown) is not None, f"then next in line ({shown!r})")
    # The calls ahead of it end one by one until the worker runs it: its own call is held.
    # (A held call while the job is below 30% is another job's: the job's "Running on GPU"
    # is written before its call goes out.)
    while True:
        job = api("GET", f"/api/jobs/{job_id}")
        if job["status"] == "processing" and job["progress"] >= 30:
            break
        if job["status"] not in ("queued", "processing") or not gate.let_one_through():
            raise TimeoutError(f"the page's job did not reach its call ({job['status']}, {job['message']})")
    wait_until(lambda: "Running on GPU" in status_text(), "the page shows the processing view")
    shown = status_text()
    check("ahead of you" not in shown and "Next in line" not in shown and not shown.startswith("0%"),
          f"the processing view once the worker starts it ({shown!r})")
    gate.open()
    WebDriverWait(driver, WAIT).until(ready.visibility_of_element_located((By.ID, "results")))
    check(len(driver.find_elements(By.CSS_SELECTOR, "img.layer-image")) == LAYERS, "then its layers")

    # A refusal is a readable message, not raw JSON.
    not_image = os.path.join(os.path.dirname(os.path.abspath(SCREENSHOT)), "notes.png")
    with open(not_image, "w") as handle:
        handle.write("this is not an image")
    file_input.send_keys(not_image)
    driver.find_element(By.ID, "go").click()
    error = WebDriverWait(driver, 30).until(ready.visibility_of_element_located((By.ID, "error")))
    check("not a PNG or JPEG" in error.text and "{" not in error.text, f"a non-image is refused readably ({error.text!r})")
    os.remove(not_image)
except Exception as error:  # a timeout or a missing element is a failed check, with a picture of why
    check(False, f"the page works end to end ({type(error).__name__}: {error})")
    driver.save_screenshot(SCREENSHOT.replace(".png", "-failure.png"))
finally:
    gate.open()
    driver.quit()
    gate_server.shutdown()

print(f"browser test: {results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)

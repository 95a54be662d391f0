"""The upload web page in a real browser (headless Chromium via Selenium).

Uploads the sample poster, waits for the job to complete, checks that every
layer image loaded and that toggling a layer hides it in the stacked preview,
and saves a screenshot. Run by scripts/browser-test.sh, which starts the stack.
"""
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE_URL = os.environ["BASE_URL"]
POSTER = os.environ["POSTER"]
SCREENSHOT = os.environ.get("SCREENSHOT", "web-page.png")
LAYERS = 4

results = {"passed": 0, "failed": 0}


def check(condition, what):
    results["passed" if condition else "failed"] += 1
    print(("ok   " if condition else "FAIL ") + what, flush=True)


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
    driver.quit()

print(f"browser test: {results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)

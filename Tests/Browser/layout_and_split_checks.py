"""Checks of the web page run by web_page_test.py once a job's layers are shown (issue #21):
no control spills over its card or section at 1,200 and 390 px wide, the cost chart shows a
fraction-of-a-cent day with a visible bar and a label that is not $0.00, and "Split this layer"
creates a child job that completes, shows its layers and records its parent (checked via the API).
"""
import json
import re
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

# Every visible control, the card (a layer card, else its section) it belongs to, and by how
# many pixels it spills past that card's edges; the layer labels that wrap onto a second line.
OVERFLOWS = """
const found = [];
const controls = document.querySelectorAll("button, a.button, input:not([type=hidden]), select");
for (const control of controls) {
  const box = control.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) continue;
  const card = control.closest(".layer") || control.closest("section");
  if (!card) continue;
  const edge = card.getBoundingClientRect();
  const spill = Math.max(edge.left - box.left, box.right - edge.right, edge.top - box.top, box.bottom - edge.bottom);
  if (spill > 0.5) found.push((control.id || control.className || control.tagName) + " '" + (control.textContent || control.value || "").trim() +
    "' spills " + spill.toFixed(1) + " px over " + (card.className || card.id || "its section"));
}
for (const label of document.querySelectorAll(".layer .meta label")) {
  const lineHeight = parseFloat(getComputedStyle(label).lineHeight) || 20;
  if (label.getBoundingClientRect().height > 1.6 * lineHeight) found.push("the label '" + label.textContent.trim() + "' wraps");
}
if (document.documentElement.scrollWidth > window.innerWidth + 0.5)
  found.push("the page scrolls sideways (" + document.documentElement.scrollWidth + " > " + window.innerWidth + ")");
return found;
"""


def check_controls_fit(driver, check, width):
    # The viewport itself is set (a window cannot be made narrower than the browser's minimum).
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 1400, "deviceScaleFactor": 1, "mobile": False})
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return window.innerWidth;") == width)
    time.sleep(0.3)  # one layout after the resize
    inner = driver.execute_script("return window.innerWidth;")
    cards = driver.execute_script("return document.querySelectorAll('.layer').length;")
    problems = driver.execute_script(OVERFLOWS)
    check(cards > 0 and not problems, f"at {width} px wide (viewport {inner}), no control leaves its card ({cards} layer cards): {problems}")


def reset_viewport(driver):
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def check_cost_chart(driver, check):
    """The day of the job just run cost a fraction of a cent (the local endpoint, ~0.3 s of GPU time)."""
    WebDriverWait(driver, 20).until(
        lambda d: float(d.find_elements(By.CSS_SELECTOR, "#chart svg rect")[-1].get_attribute("data-usd") or 0) > 0)
    today = driver.find_elements(By.CSS_SELECTOR, "#chart svg rect")[-1]
    usd = float(today.get_attribute("data-usd"))
    height = float(today.get_attribute("height"))
    label = driver.find_elements(By.CSS_SELECTOR, "#chart text.day-cost")[-1].text
    check(0 < usd < 0.01, f"today's GPU cost is a fraction of a cent (${usd})")
    check(height >= 2, f"today's bar is visible ({height} px)")
    check(label != "$0.00" and re.fullmatch(r"\$0\.0*[1-9]\d*", label) is not None, f"today's label shows the fraction ({label!r})")

    # Beside a costlier day the fraction still gets a bar: the page draws a made-up report.
    drawn = driver.execute_async_script("""
const done = arguments[arguments.length - 1], realFetch = window.fetch;
const days = ["2026-01-01", "2026-01-02", "2026-01-03"].map((date, i) => ({ date, usd: [0, 1.25, 0.0004][i],
  gpu_seconds: 0, requests: i, failed_requests: 0, cache_hits: 0, cache_avoided_usd: 0 }));
const report = { days, total_usd: 1.2504, total_cache_hits: 0, total_cache_avoided_usd: 0 };
window.fetch = async () => new Response(JSON.stringify(report), { status: 200, headers: { "Content-Type": "application/json" } });
loadCosts().then(() => {
  window.fetch = realFetch;
  done([...document.querySelectorAll("#chart svg rect")].map((r) => Number(r.getAttribute("height"))).concat(
    [...document.querySelectorAll("#chart text.day-cost")].map((t) => t.textContent)));
});
""")
    check(drawn[0] == 0 and 2 <= drawn[2] < drawn[1],
          f"beside a $1.25 day, a $0.0004 day still has a visible bar and no bar for a zero day (heights {drawn[:3]})")
    check(drawn[3:] == ["$0.00", "$1.25", "$0.0004"], f"the labels read $0.00, $1.25, $0.0004 ({drawn[3:]})")
    driver.execute_script("loadCosts();")  # the real figures again


def api_json(base_url, path):
    with urllib.request.urlopen(base_url + path, timeout=10) as response:
        return json.load(response)


def check_split(driver, check, base_url, parent_layers):
    parent_id = driver.find_element(By.ID, "results").get_attribute("data-job")
    cards = driver.find_elements(By.CSS_SELECTOR, ".layer")
    check(len(cards) == parent_layers and all(card.find_elements(By.CSS_SELECTOR, "button.split-layer") for card in cards),
          "a 'Split this layer' button on each layer card")
    count = cards[1].find_element(By.CSS_SELECTOR, "input.split-count")
    count.clear()
    count.send_keys("2")
    cards[1].find_element(By.CSS_SELECTOR, "button.split-layer").click()

    WebDriverWait(driver, 180).until(lambda d: d.find_element(By.ID, "results").get_attribute("data-job") != parent_id)
    child_id = driver.find_element(By.ID, "results").get_attribute("data-job")
    lineage = driver.find_element(By.ID, "lineage").text
    check(lineage.startswith("Split of layer 1 of job " + parent_id[:8]), f"the page names the parent ({lineage!r})")
    images = driver.find_elements(By.CSS_SELECTOR, "img.layer-image")
    deadline = time.time() + 30
    while time.time() < deadline and not all(
        driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0;", image) for image in images
    ):
        time.sleep(0.2)
    check(len(images) == 2 and all(driver.execute_script("return arguments[0].naturalWidth;", i) > 0 for i in images),
          f"the child's 2 layers are shown and loaded (got {len(images)})")

    child = api_json(base_url, "/api/jobs/" + child_id)
    check(child["status"] == "completed" and child["num_layers"] == 2, f"the child job completed ({child['status']})")
    check(child["parent"] == {"job_id": parent_id, "layer": 1}, f"the API records the parent ({child['parent']})")
    check(api_json(base_url, "/api/jobs/" + parent_id)["parent"] is None, "the parent has no parent")

    driver.find_element(By.ID, "parent-link").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "results").get_attribute("data-job") == parent_id)
    shown = len(driver.find_elements(By.CSS_SELECTOR, "img.layer-image"))
    check(shown == parent_layers, f"the parent link shows the parent's {parent_layers} layers again (got {shown})")

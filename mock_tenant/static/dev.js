// What every dev page shares: the reset button and the banner shown while tenant time is not
// real time. Changes go to the dev API as same-origin JSON fetches: the tenant refuses forms
// and other origins there (CSRF protection, docs/reference/dev-api.md).

const CLOCK_POLL_MS = 3000;
const banner = document.querySelector("[data-clock-banner]");
const bannerText = document.querySelector("[data-clock-text]");

/** POST a JSON body to the dev API and return the answer's JSON. */
export async function post(path, body = {}) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

/** Word how tenant time differs from real time, as mock_tenant/dev/views.py: clock_notice does. */
function clockNotice(clock) {
  const shift = clock.frozen ? Math.round(clock.now - Date.now() / 1000) : clock.offset;
  const direction = shift < 0 ? "behind" : "ahead of";
  if (clock.frozen) return `The tenant clock is stopped, ${Math.abs(shift)} s ${direction} real time.`;
  if (shift) return `The tenant clock runs ${Math.abs(shift)} s ${direction} real time.`;
  return null;
}

/** Show the banner while the clock is moved or stopped, hide it otherwise. */
async function updateClock() {
  try {
    const response = await fetch("/_dev/api/clock");
    const notice = clockNotice(await response.json());
    banner.hidden = notice === null;
    if (notice !== null) bannerText.textContent = notice;
  } catch {
    // The tenant stopped or restarts: keep the last banner until it answers again.
  }
}

/** Put tenant time back on real time: let it run again, then undo the shift. */
async function realTime() {
  const clock = await post("/_dev/api/clock", { freeze: false });
  if (clock.offset) await post("/_dev/api/clock", { advance: -clock.offset });
  await updateClock();
}

/** Forget everything but the keys, then tell the page to draw itself again. */
async function reset(button) {
  button.disabled = true;
  try {
    await post("/_dev/api/reset");
    button.textContent = "Tenant reset";
    document.dispatchEvent(new CustomEvent("tenant-reset"));
    await updateClock();
  } finally {
    button.disabled = false;
    setTimeout(() => { button.textContent = "Reset the tenant"; }, 2000);
  }
}

for (const button of document.querySelectorAll("[data-reset]")) {
  button.hidden = false;
  button.addEventListener("click", () => reset(button));
}
for (const button of document.querySelectorAll("[data-clock-reset]")) {
  button.hidden = false;
  button.addEventListener("click", realTime);
}
setInterval(updateClock, CLOCK_POLL_MS);

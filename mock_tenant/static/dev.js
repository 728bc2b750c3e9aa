// What every dev page shares: the reset button and the banner shown while the tenant clock is
// stopped or stored state was aged. Changes go to the dev API as same-origin JSON fetches: the
// tenant refuses forms and other origins there (CSRF protection, docs/reference/dev-api.md).

const CLOCK_POLL_MS = 3000;
const banner = document.querySelector("[data-clock-banner]");
const bannerText = document.querySelector("[data-clock-text]");
const clockButtons = document.querySelectorAll("[data-clock-reset]");

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

/** Word how the tenant clock differs from real time, as mock_tenant/dev/views.py: clock_notice does. */
function clockNotice(clock) {
  if (clock.frozen) {
    return `The tenant clock is stopped, ${-clock.offset} s behind real time: `
      + "tokens it mints carry the stopped time.";
  }
  if (clock.aged) {
    return `Stored codes, sessions, tokens and throttles were aged ${clock.aged} s `
      + "with the dev clock; tokens still carry real time.";
  }
  return null;
}

/** Show the banner while the clock is stopped or stored state was aged, hide it otherwise. */
async function updateClock() {
  try {
    const response = await fetch("/_dev/api/clock");
    const clock = await response.json();
    const notice = clockNotice(clock);
    banner.hidden = notice === null;
    if (notice !== null) bannerText.textContent = notice;
    // Only a stopped clock can go back to real time; aged state stays aged until a reset.
    for (const button of clockButtons) button.hidden = !clock.frozen;
  } catch {
    // The tenant stopped or restarts: keep the last banner until it answers again.
  }
}

/** Put the tenant clock back on real time (let it run again). */
async function realTime() {
  await post("/_dev/api/clock", { freeze: false });
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
for (const button of clockButtons) button.addEventListener("click", realTime);
updateClock();
setInterval(updateClock, CLOCK_POLL_MS);

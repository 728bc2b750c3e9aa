// The dev outbox page: the server draws the messages; this script adds the ones that arrive
// later (and drops deleted ones) in place, so the reader's selection and scroll stay put,
// and makes the copy buttons work. Everything from the server is set with textContent.

const POLL_MS = 2000;
const COPIED_MS = 2000;
const list = document.querySelector("[data-messages]");
const empty = document.querySelector("[data-empty]");

/** Create an element with a class and, optionally, text. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** Make a copy button for a code or link sent to someone. */
function copyButton(value, what, to) {
  const button = el("button", "copy", "Copy");
  button.type = "button";
  button.dataset.copy = value;
  button.setAttribute("aria-label", `Copy the ${what} sent to ${to}`);
  return button;
}

/** Draw one message the way templates/outbox.html does. */
function message(m) {
  const item = el("li", "message");
  item.id = `message-${m.id}`;
  item.dataset.id = m.id;
  item.setAttribute("aria-label", `${m.channel} to ${m.to}`);
  const meta = el("div", "message-meta");
  meta.append(el("span", `badge badge-${m.channel}`, m.channel === "email" ? "Email" : "SMS"));
  const to = el("span", "to", "to ");
  to.append(el("strong", "", m.to));
  // The format of the page's `isotime` filter (mock_tenant/__init__.py).
  const iso = new Date(m.sent_at * 1000).toISOString();
  const sent = el("time", "", `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`);
  sent.dateTime = sent.textContent;
  meta.append(to, sent);
  item.append(meta);
  if (m.subject) item.append(el("p", "subject", m.subject));
  if (m.code) {
    const code = el("p", "code", "Code: ");
    const otp = el("output", "otp", m.code);
    otp.setAttribute("aria-label", "one-time code");
    code.append(otp, " ", copyButton(m.code, "code", m.to));
    item.append(code);
  }
  if (m.link) {
    const paragraph = el("p", "link");
    const link = el("a", "magic-link", "Open the magic link");
    link.href = m.link;
    paragraph.append(link, " ", copyButton(m.link, "link", m.to));
    item.append(paragraph);
  }
  item.append(el("pre", "text", m.text));
  return item;
}

/** Add new messages on top and remove gone ones, leaving the others untouched. */
function update(messages) {
  const wanted = new Set(messages.map((m) => String(m.id)));
  for (const item of [...list.children]) {
    if (!wanted.has(item.dataset.id)) item.remove();
  }
  const shown = new Set([...list.children].map((item) => item.dataset.id));
  // Newest first: walk from the oldest so that each new one lands above the previous.
  for (const m of [...messages].reverse()) {
    if (!shown.has(String(m.id))) list.prepend(message(m));
  }
  empty.hidden = messages.length > 0;
}

/** Fetch the messages (with the page's `?to=`) and update the list. */
async function refresh() {
  try {
    const response = await fetch(`/_dev/api/outbox${location.search}`);
    if (response.ok) update(await response.json());
  } catch {
    // The tenant stopped or restarts: keep what is shown until it answers again.
  }
}

/** Copy a code or link to the clipboard and say so on the button for a moment. */
async function copy(button) {
  try {
    await navigator.clipboard.writeText(button.dataset.copy);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Select and copy by hand";
  }
  button.classList.add("copied");
  setTimeout(() => {
    button.textContent = "Copy";
    button.classList.remove("copied");
  }, COPIED_MS);
}

list.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (button) copy(button);
});
for (const button of list.querySelectorAll("button[data-copy]")) button.hidden = false;
document.addEventListener("tenant-reset", refresh);
setInterval(refresh, POLL_MS);

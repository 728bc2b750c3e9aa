// The flow inspector's page: fetch /_dev/api/events and draw one timeline per login, with
// its sequence diagram beside it. Everything from the server is set with textContent, never
// parsed as HTML; the one exception is the SVG that Mermaid draws from a diagram's text
// (labels escaped by the tenant, dev/diagram.py; Mermaid's strict security level on top).

const POLL_MS = 2000;
const list = document.getElementById("logins");
let lastBody = "";
// Drawn diagrams by their text: a redraw of the list reuses them instead of drawing again.
let drawn = new Map();
let diagramCount = 0;

// Actors close together and drawn once: a login's diagram stays readable beside its timeline.
globalThis.mermaid?.initialize({
  startOnLoad: false,
  securityLevel: "strict",
  theme: "neutral",
  sequence: { actorMargin: 24, mirrorActors: false, messageMargin: 28 },
});

/** Create an element with a class and, optionally, text. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** Format a Unix time as a 24-hour UTC clock time. */
function clock(seconds) {
  return new Date(seconds * 1000).toISOString().slice(11, 19) + " UTC";
}

/** Draw a table of name, value and explanation rows. */
function table(rows) {
  const t = el("table", "kv");
  for (const [name, value, explains] of rows) {
    const tr = el("tr");
    tr.append(el("th", "", name));
    const shown = typeof value === "object" ? JSON.stringify(value) : value;
    tr.append(el("td", "mono", shown));
    tr.append(el("td", "explains", explains || ""));
    t.append(tr);
  }
  return t;
}

/** Draw a decoded token: header, claims with explanations, signature check. */
function token(t) {
  const box = el("div", "token");
  box.append(el("h3", "", t.name === "id_token" ? "ID token" : "Access token"));
  if (t.opaque) {
    box.append(el("p", "", `${t.fingerprint}: ${t.explains}`));
    return box;
  }
  box.append(el("p", "signature", `Signature ${t.signature}`));
  box.append(el("pre", "mono", JSON.stringify(t.header, null, 2)));
  box.append(table(Object.entries(t.payload).map(([k, v]) => [k, v, t.claims[k]])));
  return box;
}

/** Draw one exchange of a login. */
function event(e) {
  const item = el("li", `event status-${Math.floor(e.status / 100)}xx`);
  const details = el("details");
  details.dataset.key = `event-${e.id}`;
  const summary = el("summary");
  summary.append(el("span", "time", clock(e.at)));
  summary.append(el("strong", "", e.kind));
  summary.append(el("span", "mono", ` ${e.method} ${e.path} → ${e.status}`));
  if (e.note) summary.append(el("span", "note", e.note));
  // Visible without opening the exchange: the other profile would have answered differently.
  if (e.profile_note) summary.append(el("span", "profile-note", e.profile_note));
  details.append(summary);
  const params = Object.entries(e.params).map(([k, p]) => [k, p.value, p.explains]);
  if (params.length) details.append(el("h3", "", "Request"), table(params));
  if (e.answer) details.append(el("h3", "", "Answer"), el("pre", "mono", JSON.stringify(e.answer, null, 2)));
  if (e.message_id) {
    const link = el("a", "", `Message #${e.message_id} in the outbox`);
    link.href = `/_dev/outbox#message-${e.message_id}`;
    const paragraph = el("p");
    paragraph.append(link);
    details.append(paragraph);
  }
  for (const t of e.tokens || []) details.append(token(t));
  item.append(details);
  return item;
}

/** Return a login's sequence diagram, drawn once per diagram text and reused after. */
function diagram(text, previous) {
  const known = previous.get(text);
  if (known) {
    drawn.set(text, known);
    return known;
  }
  const figure = el("figure", "diagram");
  const picture = el("div", "diagram-svg", "Drawing the diagram…");
  const caption = el("figcaption", "", "Sequence diagram, drawn from the exchanges on the left. ");
  const source = el("details");
  source.dataset.key = `source-${text}`;
  source.append(el("summary", "", "Mermaid source"), el("pre", "mono", text));
  caption.append(source);
  figure.append(picture, caption);
  drawn.set(text, figure);
  if (!globalThis.mermaid) {
    picture.textContent = "Mermaid is not installed: run make setup.";
    return figure;
  }
  diagramCount += 1;
  globalThis.mermaid
    .render(`sequence-${diagramCount}`, text)
    .then(({ svg }) => {
      picture.innerHTML = svg;
      const image = picture.querySelector("svg");
      image.setAttribute("role", "img");
      image.setAttribute("aria-label", "Sequence diagram of this login");
    })
    .catch((error) => { picture.textContent = `Cannot draw the diagram: ${error.message}`; });
  return figure;
}

/** Draw every login, keeping open whatever the reader had opened. */
function render(logins) {
  const open = new Set([...list.querySelectorAll("details[open]")].map((d) => d.dataset.key));
  const previous = drawn;
  drawn = new Map();
  list.replaceChildren();
  if (!logins.length) {
    list.append(el("p", "empty", "No logins yet. Start one and it appears here."));
    return;
  }
  for (const login of logins) {
    const card = el("article", "timeline");
    const who = login.identifier || login.user_id || "someone not yet known";
    card.append(el("h2", "", `${who} · ${login.client_id || "unknown app"}`));
    card.append(el("p", "muted", `Started ${clock(login.started_at)} (real time), ${login.events.length} exchanges`));
    const steps = el("ol", "events");
    login.events.forEach((e) => steps.append(event(e)));
    const body = el("div", "timeline-body");
    body.append(steps);
    if (login.diagram) body.append(diagram(login.diagram, previous));
    card.append(body);
    list.append(card);
  }
  list.querySelectorAll("details").forEach((d) => { if (open.has(d.dataset.key)) d.open = true; });
}

/** Fetch the timelines with the page's filters and redraw when something changed. */
async function refresh() {
  try {
    const response = await fetch(`/_dev/api/events${location.search}`);
    const body = await response.text();
    if (body !== lastBody) {
      lastBody = body;
      render(JSON.parse(body));
    }
  } catch (error) {
    list.replaceChildren(el("p", "empty", `Cannot show the timelines: ${error.message}`));
  }
}

refresh();
document.addEventListener("tenant-reset", refresh);
setInterval(refresh, POLL_MS);

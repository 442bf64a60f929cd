// Tracker's integrations page: plain ES module, talks only to the public API (openapi.json).
const API = document.querySelector('meta[name="api-base"]').content;
const $ = (id) => document.getElementById(id);
const main = () => $("main");

// What each integration does and reaches, as the product plan's connect screen says it.
const ABOUT = {
  "google-sheets": {name: "Google Sheets", button: "Connect with Google", view: "View in Sheets",
    does: "Keeps a Google Sheet and your campaigns in step: pitches become rows, edits in the sheet come back.",
    will: "Only the spreadsheets you create with Tracker or pick yourself.", wont: "Any other file in your Drive."},
  gmail: {name: "Gmail", button: "Connect with Google", view: "Open Gmail",
    does: "Spots replies, bounces and out-of-office answers to your pitches and puts them on the pitch.",
    will: "Messages in threads with your pitched contacts (read only).", wont: "Sending mail, or any other message."},
  "google-drive": {name: "Google Drive", button: "Connect with Google", view: "View in Drive",
    does: "Attaches press kits and tracks from your Drive to campaigns.", will: "Files you choose.", wont: "The rest of your Drive."},
  airtable: {name: "Airtable", button: "Connect with Airtable", view: "View in Airtable",
    does: "Syncs campaigns and pitches with a base and table of yours.", will: "The bases you grant.", wont: "Other bases."},
  mailchimp: {name: "Mailchimp", button: "Connect with Mailchimp", view: "View in Mailchimp",
    does: "Brings campaign opens and clicks back to your pitches.", will: "Audience and report data.", wont: "Sending campaigns."},
};
// Sync frequency per plan (the API checks this too; the page offers only what the plan allows).
const FREQUENCIES = {free: ["manual"], pro: ["manual", "every_15_minutes"], agency: ["manual", "every_15_minutes", "real_time"]};
const FREQUENCY_LABEL = {manual: "When I press Sync now", every_15_minutes: "Every 15 minutes", real_time: "Real time"};
// Which role may do what, as the API's route table says (it refuses the rest with 403 naming the role that may).
const CAN = {
  owner: new Set(["connect", "configure", "sync", "disconnect", "decide", "edit"]),
  admin: new Set(["connect", "configure", "sync", "disconnect", "decide", "edit"]),
  member: new Set(["sync", "edit"]),
};
const can = (what) => (CAN[session().role] || CAN.member).has(what);
// The member's role and plan come from GET /api/me. Where that route does not exist yet (404), the page falls back
// to what the local sign-in chose: the role picked (owner unless another was) and the plan the token was issued for.
let me = null;
const session = () => ({token: localStorage.getItem("tracker-token"), user: localStorage.getItem("tracker-user"),
  plan: (me && me.plan) || localStorage.getItem("tracker-plan") || "free",
  role: (me && me.role) || localStorage.getItem("tracker-role") || "owner"});
let meAskedWith = null;
async function loadMe() {
  if (meAskedWith === session().token) return;  // once per sign-in: a role or plan change comes with a new token
  me = null;
  const res = await fetch(API + "/api/me", {headers: {Authorization: "Bearer " + session().token}});
  me = res.ok ? await res.json() : null;
  meAskedWith = session().token;
}

export async function api(method, path, body) {
  // credentials: connect's answer sets the cookie binding the OAuth flow to this browser.
  const res = await fetch(API + path, {method, credentials: "include",
    headers: {Authorization: "Bearer " + session().token, "Content-Type": "application/json"},
    body: body === undefined ? undefined : JSON.stringify(body)});
  const text = await res.text();
  const data = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error((data.error && data.error.message) || data.message || res.statusText);
  return data;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}
// A control inside its label: a select's (or a filled input's) own text would otherwise join its name, so a
// screen reader read "Spreadsheet Choose a spreadsheet…" and "Spreadsheet" matched nothing exactly.
function field(text, control) {
  control.setAttribute("aria-label", text);
  return el("label", {}, text, control);
}
function banner(kind, text) { $("banner").replaceChildren(el("div", {class: "banner " + kind, role: kind === "fail" ? "alert" : "status"}, text)); }
function guarded(run) {
  return async (event) => { event?.preventDefault?.(); try { await run(event); } catch (e) { banner("fail", e.message); } };
}
// A new screen takes the focus (main is focusable), so a keyboard or screen-reader user starts at its top
// instead of on a button that no longer exists.
function go(path) { history.pushState({}, "", path); route().then(() => main().focus({preventScroll: true})); }

// The dashboard, campaigns and activity screens refresh themselves, so a sync, a sheet edit or a reply shows up
// without a reload. A refresh repaints only when something changed, and never while the user is typing,
// choosing or confirming (that would throw their input away).
const REFRESH_MS = 2000;
let refreshScreen = null;
let painted = "";
const focusables = () => [...main().querySelectorAll("a[href], button, input, select, textarea")];
function paint(data, ...nodes) {
  const holder = document.createElement("div");
  holder.append(...nodes.flat().filter(Boolean));
  const signature = JSON.stringify(data) + holder.innerHTML;
  delete main().dataset.dirty;
  if (signature === painted) return;
  const active = document.activeElement;
  const focused = active !== main() && main().contains(active) ? controlKey(active) : null;
  painted = signature;
  main().replaceChildren(...holder.childNodes);
  // A keyboard user keeps their place: the same control (by kind and name), if the new screen still has it.
  if (focused) focusables().find((node) => controlKey(node) === focused)?.focus();
}
const controlKey = (node) => `${node.tagName}|${node.getAttribute("aria-label") || node.getAttribute("name") || node.textContent}`;
function busy() {
  const active = document.activeElement;
  return Boolean(document.querySelector("dialog[open]") || main().dataset.dirty ||
    (main().contains(active) && active.matches("input, select, textarea")));
}
setInterval(() => {
  if (refreshScreen && !busy() && document.visibilityState === "visible") refreshScreen().catch(() => {});
}, REFRESH_MS);
const words = (s) => String(s).replaceAll("_", " ");

export function ago(iso, now = Date.now()) {
  if (!iso) return "never";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const units = [[86400, "day"], [3600, "hour"], [60, "minute"]];
  for (const [size, name] of units) {
    if (seconds >= size) { const n = Math.floor(seconds / size); return `${n} ${name}${n === 1 ? "" : "s"} ago`; }
  }
  return "just now";  // not "12 seconds ago": a refresh would repaint the card every time
}

// The state a card shows: the API's status, sharpened by the last error's code where that says more.
export function cardState(card, atPlanLimit = false) {
  const code = card.last_error && card.last_error.code;
  if (card.status === "not_connected" && atPlanLimit) return "plan_limit";
  if (card.paused_for_plan) return "plan_limit";  // paused by a downgrade: only a plan brings it back
  if (code === "quota_reached") return "quota_reached";
  if (code === "plan_limit" || code === "plan_limit_reached") return "plan_limit";
  return card.status;
}
const STATE_LABEL = {not_connected: "Not connected", connected: "Connected", syncing: "Syncing…", needs_reauth: "Needs reconnect",
  error: "Error", paused: "Paused", quota_reached: "Quota reached", plan_limit: "Plan limit reached"};

async function connect(provider) {
  const {authorization_url: url} = await api("POST", `/api/integrations/${provider}/connect`);
  // Consent in a popup; a blocked popup falls back to a full-page redirect.
  const popup = window.open(url, "tracker-consent", "popup,width=520,height=680");
  if (!popup) { location.assign(url); return; }
  banner("ok", "Finish in the sign-in window that opened.");
}
window.addEventListener("message", (event) => {
  if (event.origin !== location.origin || !event.data || event.data.type !== "tracker-consent") return;
  go(event.data.path);
});

const PLAN_LIMIT = {free: 1, pro: 3, agency: Infinity};
const RECORDS_A_MONTH = {free: 100, pro: 1000, agency: null};
function recordsAMonth(plan) {
  const limits = me && me.limits;
  const records = limits && "records_per_month" in limits ? limits.records_per_month : RECORDS_A_MONTH[plan];
  return records === null || records === undefined ? "unlimited records" : `${records.toLocaleString("en")} records`;
}
// The plan's integration count: /api/me's limits when it answers (null: unlimited), else the product plan's table.
function integrationLimit(plan) {
  const limits = me && me.limits;
  if (limits && "max_integrations" in limits) return limits.max_integrations === null ? Infinity : limits.max_integrations;
  return PLAN_LIMIT[plan];
}
const UPGRADE = {free: "Upgrade to pro for 3 integrations, or disconnect one first.",
  pro: "Upgrade to agency for unlimited integrations, or disconnect one first."};
function cardView(card, atPlanLimit) {
  const about = ABOUT[card.provider] || {view: "View"};
  const state = cardState(card, atPlanLimit);
  const p = card.provider;
  const connected = card.status !== "not_connected";
  const err = card.last_error;
  const fix = err && fixAction(card, err);
  return el("li", {class: "card", "data-provider": p, "aria-labelledby": `card-${p}`},
    el("h2", {id: `card-${p}`}, card.name),
    el("div", {class: "state " + state, "data-state": state}, STATE_LABEL[state] || words(state)),
    el("div", {class: "muted"}, card.connected_account ? `Connected by ${card.connected_account}` : card.description),
    // Teams: the member who set it up (the API names them once it records who connected what).
    card.connected_by && el("div", {class: "muted"}, `Set up by ${card.connected_by}`),
    connected && el("div", {}, `Last sync: ${ago(card.last_sync_at)}`),
    connected && el("div", {}, `Records synced: ${card.records_synced ?? 0}`),
    err && el("div", {class: "error-box", role: "note"}, err.message, " ", el("strong", {}, err.action || ""), fix ? " " : "", fix),
    state === "plan_limit" && card.paused_for_plan && el("div", {class: "error-box", role: "note"},
      `Paused when your plan changed to ${session().plan}: nothing was deleted. `,
      el("strong", {}, `Upgrade to ${card.paused_for_plan} to resume it, or disconnect another integration.`)),
    state === "plan_limit" && !card.paused_for_plan && el("div", {class: "error-box", role: "note"},
      `Your ${session().plan} plan includes ${integrationLimit(session().plan)} integration${integrationLimit(session().plan) === 1 ? "" : "s"}. `,
      el("strong", {}, UPGRADE[session().plan] || "")),
    el("div", {class: "actions"},
      !connected && state !== "plan_limit" && can("connect") && el("button", {class: "primary", onclick: () => go(`/app/integrations/${p}/connect`)}, "Connect"),
      connected && can("configure") && el("button", {onclick: () => go(`/app/integrations/${p}/configure`)}, "Configure"),
      // Not offered where the API would refuse it: a dead grant, a paused sync, the month's records used.
      connected && can("sync") && !["needs_reauth", "paused", "quota_reached", "plan_limit"].includes(state) && el("button", {onclick: guarded(async () => {
        banner("ok", (await api("POST", `/api/integrations/${p}/sync`)).message); await dashboard(); })}, "Sync now"),
      connected && el("button", {onclick: () => go(`/app/integrations/${p}/activity`)}, "Activity"),
      connected && can("configure") && !["needs_reauth", "quota_reached", "plan_limit"].includes(state) &&
        el("button", {onclick: guarded(() => setPaused(card, state !== "paused"))}, state === "paused" ? "Resume sync" : "Pause sync"),
      connected && sheetUrl(card) && el("a", {class: "button", href: sheetUrl(card), target: "_blank", rel: "noopener"}, about.view),
      connected && can("disconnect") && el("button", {class: "danger", onclick: () => confirmDisconnect(card)}, "Disconnect"),
    ));
}
const spreadsheetLinks = {};
function sheetUrl(card) { return card.provider === "gmail" ? "https://mail.google.com/" : spreadsheetLinks[card.provider]; }
function fixAction(card, err) {
  if (card.status === "needs_reauth") return el("button", {class: "primary", onclick: guarded(() => connect(card.provider))}, "Reconnect");
  // A renamed, deleted or doubled column (column_missing, column_duplicated) is fixed in the sheet's header row.
  if (/^column_|header/i.test(err.code) && spreadsheetLinks[card.provider])
    return el("a", {class: "button", href: spreadsheetLinks[card.provider], target: "_blank", rel: "noopener"}, "Fix header");
  if (spreadsheetLinks[card.provider] && /sheet/i.test(err.message))
    return el("a", {class: "button", href: spreadsheetLinks[card.provider], target: "_blank", rel: "noopener"}, "Open sheet");
  return null;
}

function confirmDisconnect(card) {
  const dialog = el("dialog", {"aria-labelledby": "confirm-title"},
    el("h2", {id: "confirm-title"}, `Disconnect ${card.name}?`),
    el("p", {}, "Tracker stops syncing and forgets the access. Your data in Tracker and in the provider stays."),
    el("form", {method: "dialog", class: "actions"},
      el("button", {value: "cancel"}, "Cancel"),
      el("button", {value: "yes", class: "danger"}, "Yes, disconnect")));
  dialog.addEventListener("close", guarded(async () => {
    dialog.remove();
    if (dialog.returnValue !== "yes") return;
    banner("ok", (await api("DELETE", `/api/integrations/${card.provider}/disconnect`)).message);
    await dashboard();
  }));
  document.body.append(dialog);
  dialog.showModal();
}

async function setPaused(card, paused) {
  const {version} = await api("GET", `/api/integrations/${card.provider}`);
  await api("PUT", `/api/integrations/${card.provider}/settings`, {version, paused});
  banner("ok", `${card.name}: sync ${paused ? "paused" : "resumed"}.`);
  await dashboard();
}

async function dashboard() {
  const at = location.href;
  const data = await api("GET", "/api/integrations");
  await Promise.all(data.integrations.filter((c) => c.provider === "google-sheets" && c.configured).map(async (c) => {
    const detail = await api("GET", `/api/integrations/${c.provider}`);
    const target = detail.settings.sheet && detail.settings.sheet.target;
    if (target && target.spreadsheet_id) spreadsheetLinks[c.provider] = `https://docs.google.com/spreadsheets/d/${target.spreadsheet_id}/edit`;
  }));
  const plan = session().plan;
  const used = data.integrations.filter((c) => c.status !== "not_connected").length;
  const limit = integrationLimit(plan);
  if (location.href !== at) return;  // the user moved on while this loaded
  paint([data, spreadsheetLinks],
    el("h1", {}, "Integrations"),
    el("p", {class: "muted"}, `Plan: ${plan} · ${used} of ${limit === Infinity ? "unlimited" : limit} integrations in use`,
      ` · ${recordsAMonth(plan)} synced a month`, used >= limit ? " · The pro plan allows 3, agency unlimited." : ""),
    el("ul", {class: "cards", "aria-label": "Integrations"}, data.integrations.map((c) => cardView(c, used >= limit))));
}

function connectScreen(provider) {
  const about = ABOUT[provider] || {button: "Connect", does: "", will: "", wont: ""};
  paint(provider,
    el("h1", {}, `Connect ${about.name || words(provider)}`),
    el("p", {}, about.does),
    el("h2", {}, "What Tracker will access"), el("p", {}, about.will),
    el("h2", {}, "What Tracker will not access"), el("p", {}, about.wont),
    el("button", {class: "primary", onclick: guarded(() => connect(provider))}, about.button),
    el("p", {}, el("a", {href: "/app"}, "Back to integrations")));
}

// The column (or Airtable field) mapping: each of the provider's columns with the Tracker field it feeds (from
// GET .../fields, with its type), the way it flows (only the ways that field allows) and its value map. Columns
// matched automatically arrive mapped; the others are offered as "Not mapped".
const KIND_LABEL = {text: "text", email: "e-mail", enum: "choice", date: "date", datetime: "date and time"};
// `fits(header)`: the Tracker fields a column's own type can hold (Airtable says so per field); null: any.
function mappingEditor(columns, unmapped, fieldList, side, fits = () => null) {
  const ways = [["both", "Both ways"], ["to_provider", `Tracker → ${side}`], ["from_provider", `${side} → Tracker`]];
  const fields = fieldList ? fieldList.fields : [];
  const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
  const rows = [...columns.map((c) => ({header: c.header, current: c})), ...unmapped.map((h) => ({header: h, current: null}))];
  rows.forEach((r, i) => {
    const chosen = r.current ? r.current.field : "";
    const fitting = fits(r.header);
    r.field = fieldList
      ? el("select", {id: `field-${i}`, "aria-label": `Tracker field for column ${r.header}`},
        el("option", {value: ""}, "Not mapped"),
        // Grouped by what the field belongs to: a pitch's own, or its campaign's (shared by the campaign's rows).
        [["pitch.", "Pitch"], ["campaign.", "Campaign"]].map(([prefix, group]) => el("optgroup", {label: group},
          fields.filter((f) => f.key.startsWith(prefix)).map((f) =>
            el("option", {value: f.key, selected: f.key === chosen, disabled: Boolean(fitting && fitting.length && !fitting.includes(f.key))},
              `${f.label} (${KIND_LABEL[f.kind] || f.kind})`)))))
      // Without the field list (an older API), the field's key is typed.
      : el("input", {id: `field-${i}`, value: chosen, "aria-label": `Tracker field for column ${r.header}`});
    r.direction = el("select", {id: `direction-${i}`, "aria-label": `Direction for column ${r.header}`},
      ways.map(([v, t]) => el("option", {value: v, selected: ((r.current && r.current.direction) || "both") === v}, t)));
    const allow = () => {
      const allowed = (byKey[r.field.value] || {directions: ways.map(([v]) => v)}).directions;
      for (const option of r.direction.options) option.disabled = !allowed.includes(option.value);
      if (!allowed.includes(r.direction.value)) r.direction.value = allowed[0];
      r.direction.disabled = !r.field.value;
      r.valueMap.disabled = !r.field.value;
    };
    // The value map as the user reads and types it: "R = replied, Yes! = interested".
    const shown = Object.entries((r.current && r.current.value_map) || {}).map(([k, v]) => `${k} = ${v}`).join(", ");
    r.valueMap = el("input", {id: `value-map-${i}`, value: shown, placeholder: "e.g. R = replied", "aria-label": `Value map for column ${r.header}`});
    r.field.addEventListener("change", allow);
    allow();
  });
  // On a phone each column becomes a block of its own, its cells captioned by data-label (see app.css).
  const node = rows.length ? el("div", {class: "table-wrap"}, el("table", {class: "mapping"},
    el("thead", {}, el("tr", {}, el("th", {scope: "col"}, `${side} column`), el("th", {scope: "col"}, "Tracker field"),
      el("th", {scope: "col"}, "Direction"), el("th", {scope: "col"}, "Value map"))),
    el("tbody", {}, rows.map((r) => el("tr", {}, el("th", {scope: "row"}, r.header),
      el("td", {"data-label": "Tracker field"}, r.field), el("td", {"data-label": "Direction"}, r.direction),
      el("td", {"data-label": "Value map"}, r.valueMap))))))
    : null;
  const value = () => rows.filter((r) => r.field.value).map((r) => ({header: r.header, field: r.field.value, direction: r.direction.value,
    value_map: parseValueMap(r.header, r.valueMap.value)}));
  return {node, value};
}

// "R = replied, Yes! = interested" -> {"R": "replied", "Yes!": "interested"}; the API checks the values.
function parseValueMap(header, text) {
  const pairs = text.split(",").map((p) => p.trim()).filter(Boolean).map((p) => p.split(/\s*(?:=|→)\s*/));
  const bad = pairs.find((p) => p.length !== 2 || !p[0] || !p[1]);
  if (bad) throw new Error(`Value map for ${header}: write it as "sheet text = Tracker value", separated by commas.`);
  return Object.fromEntries(pairs);
}

// The sync options as the product plan words them; stored with the provider's settings (`options`).
const SYNC_OPTIONS = [["new_records_to_rows", "New campaigns → new rows"], ["tracker_updates_to_rows", "Status updates → update rows"],
  ["row_edits_to_tracker", "Sheet edits → update Tracker"]];
function syncOptions(current) {
  const boxes = SYNC_OPTIONS.map(([key, text]) => [key, el("input", {type: "checkbox", name: key, checked: !current || current[key] !== false}), text]);
  return {node: el("fieldset", {}, el("legend", {}, "Sync options"),
    el("div", {class: "stack"}, boxes.map(([, box, text]) => el("label", {class: "inline"}, box, text)))),
    value: () => Object.fromEntries(boxes.map(([key, box]) => [key, box.checked]))};
}

async function sheetsParts(settings, fieldList, reload) {
  const sheet = settings.sheet || {};
  const target = sheet.target || {};
  const parts = [];
  // The list failing (a dead grant, Google down) still leaves + Create New; the user is told why it is empty.
  const list = await api("GET", "/api/integrations/google-sheets/spreadsheets").catch((e) => {
    banner("fail", `Your spreadsheets could not be listed: ${e.message}`);
    return {spreadsheets: []};
  });
  const choose = el("select", {id: "spreadsheet", name: "spreadsheet"},
    el("option", {value: ""}, "Choose a spreadsheet…"),
    list.spreadsheets.map((s) => el("option", {value: s.spreadsheet_id, selected: s.spreadsheet_id === target.spreadsheet_id}, s.name)),
    el("option", {value: "__new__"}, "+ Create New"));
  const tab = el("input", {id: "tab", name: "tab", value: target.tab_title || target.tab || ""});
  // Only for "+ Create New": the name Tracker gives the spreadsheet it makes.
  const title = el("input", {id: "new-title", name: "new-title", value: "Tracker pitches"});
  const titleField = field("New spreadsheet name", title);
  titleField.hidden = true;
  choose.addEventListener("change", () => { titleField.hidden = choose.value !== "__new__"; });
  parts.push(el("fieldset", {}, el("legend", {}, "Spreadsheet"),
    el("div", {class: "stack"},
      field("Spreadsheet", choose),
      titleField,
      field("Sheet name", tab),
      el("button", {onclick: guarded(async () => {
        if (choose.value === "__new__") {
          const made = await api("POST", "/api/integrations/google-sheets/spreadsheets", {title: title.value || undefined, tab: tab.value || undefined});
          banner("ok", `Created ${made.settings.sheet.target.spreadsheet_name}.`);
        } else if (choose.value) {
          const {version} = await api("GET", "/api/integrations/google-sheets");
          await api("PUT", "/api/integrations/google-sheets/settings", {version, spreadsheet_id: choose.value, tab: tab.value || undefined});
          banner("ok", "Spreadsheet chosen; columns matched by name.");
        } else throw new Error("Choose a spreadsheet or + Create New.");
        await reload();
      })}, "Use this spreadsheet"))));
  const mapping = mappingEditor((sheet.mapping && sheet.mapping.columns) || [], sheet.unmapped_headers || [], fieldList, "Sheet");
  parts.push(el("fieldset", {}, el("legend", {}, "Column mapping"),
    mapping.node || el("p", {}, "Choose a spreadsheet first: columns are matched to Tracker's fields automatically by header.")));
  const options = syncOptions(sheet.options);
  parts.push(options.node);
  parts.push(await importPreview("google-sheets", "sheet", reload));
  // What Save sends besides the frequency: nothing until a spreadsheet is chosen.
  const body = () => {
    if (!sheet.mapping) return {};
    const columns = mapping.value();
    if (!columns.length) throw new Error("Map at least one column to a Tracker field.");
    return {mapping: {...sheet.mapping, columns}, options: options.value()};
  };
  return {parts, body};
}

// Airtable: base, table and view from GET .../airtable/bases and .../tables; shown only when the API offers them.
async function airtableParts(settings, fieldList, reload) {
  const bases = await api("GET", "/api/integrations/airtable/bases").catch(() => null);
  if (!bases) return {parts: [el("p", {}, "Choosing a base and table is not offered by this Tracker yet.")], body: () => ({})};
  const chosen = settings.airtable || {};
  const target = chosen.target || {};
  const base = el("select", {name: "base"}, el("option", {value: ""}, "Choose a base…"),
    bases.bases.map((b) => el("option", {value: b.id, selected: b.id === target.base_id}, b.name)));
  const table = el("select", {name: "table"}, el("option", {value: ""}, "Choose a table…"));
  const view = el("select", {name: "view"}, el("option", {value: ""}, "The whole table"));
  let tables = [];
  const fillViews = () => {
    const t = tables.find((x) => x.id === table.value);
    view.replaceChildren(el("option", {value: ""}, "The whole table"),
      ...((t && t.views) || []).map((v) => el("option", {value: v.id, selected: v.id === target.view_id}, v.name)));
  };
  const fillTables = guarded(async () => {
    tables = base.value ? (await api("GET", `/api/integrations/airtable/bases/${encodeURIComponent(base.value)}/tables`)).tables : [];
    table.replaceChildren(el("option", {value: ""}, "Choose a table…"),
      ...tables.map((t) => el("option", {value: t.id, selected: t.id === target.table_id}, t.name)));
    fillViews();
  });
  base.addEventListener("change", fillTables);
  table.addEventListener("change", fillViews);
  if (base.value) await fillTables();
  const parts = [el("fieldset", {}, el("legend", {}, "Base and table"), el("div", {class: "stack"},
    field("Base", base), field("Table", table), field("View", view),
    el("button", {onclick: guarded(async () => {
      if (!base.value || !table.value) throw new Error("Choose a base and a table.");
      const {version} = await api("GET", "/api/integrations/airtable");
      await api("PUT", "/api/integrations/airtable/settings", {version, base_id: base.value, table_id: table.value, view_id: view.value || undefined});
      banner("ok", "Table chosen; fields matched by name.");
      await reload();
    })}, "Use this table")))];
  const columns = (chosen.mapping && chosen.mapping.columns) || [];
  const current = tables.find((t) => t.id === target.table_id);
  const mapped = new Set(columns.map((c) => c.header));
  const offered = current ? current.fields.filter((f) => !f.read_only && !mapped.has(f.name)).map((f) => f.name) : [];
  const typed = Object.fromEntries(((current && current.fields) || []).map((f) => [f.name, f.maps_to]));
  const mapping = mappingEditor(columns, offered, fieldList, "Airtable", (header) => typed[header] || null);
  parts.push(el("fieldset", {}, el("legend", {}, "Field mapping"), mapping.node || el("p", {}, "Choose a base and table first.")));
  parts.push(await importPreview("airtable", "table", reload));
  const body = () => (chosen.mapping ? {mapping: {...chosen.mapping, columns: mapping.value()}} : {});
  return {parts, body};
}

// The import preview: what bringing the provider's rows into Tracker would do, before anything is written.
// `reload`: an import may record where new records go (a settings change), so the screen is read again after it
// and Save & Start Sync sends the settings' current version.
async function importPreview(provider, what, reload) {
  // Rows that name no campaign of their own go where the user says: a new campaign named after the sheet
  // (the API's default), one of theirs, or nowhere (only rows with a Campaign column are imported).
  const campaigns = (await api("GET", "/api/campaigns")).campaigns;
  const into = el("select", {name: "import-into"},
    el("option", {value: "__new__"}, `A new campaign named after the ${what}`),
    campaigns.map((c) => el("option", {value: c.campaign_id}, c.title)),
    el("option", {value: "__none__"}, "Only rows that name their campaign"));
  const importBody = (dryRun) => ({dry_run: dryRun,
    ...(into.value === "__none__" ? {} : {campaign: into.value === "__new__" ? {} : {campaign_id: into.value}})});
  return el("fieldset", {}, el("legend", {}, "Import preview"),
    el("p", {}, `See what bringing the ${what}'s rows into Tracker would do, before anything is written.`),
    el("div", {class: "stack"}, field("Rows without a campaign go to", into),
    el("button", {onclick: guarded(async () => {
      const r = await api("POST", `/api/integrations/${provider}/import`, importBody(true));
      const target = r.campaigns.map((c) => `${c.title}${c.created ? " (new)" : ""}`).join(", ");
      $("preview").replaceChildren(
        el("p", {}, `${r.created} to create, ${r.updated} to update, ${r.skipped} to skip${target ? ` · into ${target}` : ""}. Nothing is written yet.`),
        el("div", {class: "table-wrap"}, el("table", {},
          el("thead", {}, el("tr", {}, ["Row", "Action", "Contact", "Why"].map((h) => el("th", {scope: "col"}, h)))),
          el("tbody", {}, r.rows.map((row) =>
            el("tr", {}, el("td", {}, `Row ${row.row}`), el("td", {}, row.action), el("td", {}, row.contact || ""), el("td", {}, row.reason || "")))))),
        el("button", {class: "primary", onclick: guarded(async () => {
          const done = await api("POST", `/api/integrations/${provider}/import`, importBody(false));
          await reload();
          banner("ok", `Imported: ${done.created} created, ${done.updated} updated, ${done.skipped} skipped.`);
        })}, "Import these rows"));
    })}, "Preview import")), el("div", {id: "preview", "aria-live": "polite"}));
}

async function configureScreen(provider) {
  const detail = await api("GET", `/api/integrations/${provider}`);
  const settings = detail.settings || {};
  const plan = session().plan;
  const allowed = FREQUENCIES[plan];
  const frequency = el("select", {id: "frequency", name: "frequency"},
    ["manual", "every_15_minutes", "real_time"].map((f) => el("option", {value: f, disabled: !allowed.includes(f),
      selected: settings.sync_frequency === f}, FREQUENCY_LABEL[f] + (allowed.includes(f) ? "" : f === "real_time" ? " (agency plan)" : " (pro plan)"))));
  const reload = () => configureScreen(provider);
  const maps = provider === "google-sheets" || provider === "airtable";
  const fieldList = maps ? await api("GET", `/api/integrations/${provider}/fields`).catch(() => null) : null;
  const own = provider === "google-sheets" ? await sheetsParts(settings, fieldList, reload)
    : provider === "airtable" ? await airtableParts(settings, fieldList, reload) : {parts: [], body: () => ({})};
  const parts = [el("h1", {}, `Configure ${detail.integration.name}`), ...own.parts];
  parts.push(el("fieldset", {}, el("legend", {}, "Frequency"), field("Sync frequency", frequency),
    plan !== "agency" ? el("p", {class: "muted"}, plan === "free" ? "Pro syncs every 15 minutes; agency in real time." : "Agency syncs in real time.") : null));
  parts.push(el("div", {class: "actions"},
    el("button", {class: "primary", onclick: guarded(async () => {
      const saved = await api("PUT", `/api/integrations/${provider}/settings`, {version: detail.version, sync_frequency: frequency.value, ...own.body()});
      detail.version = saved.version;
      const queued = await api("POST", `/api/integrations/${provider}/sync`);
      banner("ok", `Saved. ${queued.message}`);
      go("/app");
    })}, "Save & Start Sync"),
    el("a", {class: "button", href: "/app"}, "Cancel")));
  paint(detail, ...parts);
}

async function activityScreen(provider) {
  const at = location.href;
  const cards = (await api("GET", "/api/integrations")).integrations.filter((c) => c.status !== "not_connected");
  const shown = provider ? cards.filter((c) => c.provider === provider) : cards;
  const seen = [cards];
  const sections = await Promise.all(shown.map(async (card) => {
    const logs = (await api("GET", `/api/integrations/${card.provider}/logs?limit=10`)).logs;
    const pending = card.provider === "google-sheets"
      ? (await api("GET", `/api/integrations/${card.provider}/pending-deletions`)).pending_deletions : [];
    const replies = card.provider === "gmail" ? (await api("GET", "/api/replies?limit=50")).replies : [];
    seen.push(logs, pending, replies);
    const reload = () => activityScreen(provider);
    return el("section", {"aria-labelledby": `act-${card.provider}`},
      el("h2", {id: `act-${card.provider}`}, `${card.name}: sync log`),
      logs.length ? el("div", {class: "table-wrap"}, el("table", {},
        el("thead", {}, el("tr", {}, ["When", "Direction", "Outcome", "Created", "Updated", "Conflicts", "Errors"].map((h) => el("th", {scope: "col"}, h)))),
        el("tbody", {}, logs.map((l) => el("tr", {},
          el("td", {}, ago(l.started_at)), el("td", {}, words(l.direction)), el("td", {}, l.outcome),
          el("td", {}, String(l.records_created)), el("td", {}, String(l.records_updated)),
          el("td", {}, String(l.conflicts), (l.conflict_details || []).map((c) =>
            el("div", {class: "muted"}, `${c.field}${c.where ? " at " + c.where : ""}: ${words(c.winner)} kept; other value ${JSON.stringify(c.losing_value)}`))),
          el("td", {}, (l.errors || []).map((e) => el("div", {}, `${e.where ? e.where + ": " : ""}${e.message}`)))))))) :
        el("p", {}, "No sync yet."),
      pending.length ? el("div", {}, el("h3", {}, "Pending deletions"), el("ul", {}, pending.map((d) => {
        const what = Object.values(d.values || {}).filter(Boolean).slice(0, 3).join(" — ");
        // Each button names its row, so a screen reader's list of buttons says which row each decides.
        return el("li", {}, `${what} `,
        can("decide") && el("button", {"aria-label": `Approve deletion: ${what}`, onclick: guarded(async () => { await api("POST", `/api/integrations/${card.provider}/pending-deletions/${d.record_id}`, {decision: "approve"}); await activityScreen(provider); })}, "Approve deletion"),
        can("decide") && el("button", {"aria-label": `Keep the row: ${what}`, onclick: guarded(async () => { await api("POST", `/api/integrations/${card.provider}/pending-deletions/${d.record_id}`, {decision: "reject"}); await activityScreen(provider); })}, "Keep the row"));
      }))) : null,
      card.provider === "gmail" ? el("div", {}, el("h3", {}, "Replies detected"), replies.length ? el("div", {class: "table-wrap"}, el("table", {},
        el("thead", {}, el("tr", {}, ["Contact", "Category", "Confidence", "Preview"].map((h) => el("th", {scope: "col"}, h)))),
        el("tbody", {}, replies.map((r) => replyRow(r, reload))))) : el("p", {}, "No reply detected yet.")) : null);
  }));
  const notes = (await api("GET", "/api/notifications")).notifications;
  if (location.href !== at) return;
  paint([seen, notes], el("h1", {}, "Activity"), ...sections,
    el("section", {"aria-labelledby": "notes"}, el("h2", {id: "notes"}, "Notifications"),
      notes.length ? el("ul", {}, notes.map((n) => el("li", {}, `${ago(n.at)}: ${n.message} `, n.action ? el("strong", {}, n.action) : ""))) : el("p", {}, "Nothing to report.")));
}

const PITCH_STATUSES = ["pending", "sent", "opened", "replied", "interested", "not_interested", "bounced"];
const CATEGORIES = ["replied", "interested", "not_interested", "auto_reply", "bounce"];
function pitchRow(campaign, pitch, reload) {
  const label = `${pitch.contact_name || pitch.email}`;
  const status = el("select", {"aria-label": `Status of ${label}`, disabled: !can("edit"), onchange: guarded(async () => {
    await api("PATCH", `/api/campaigns/${campaign.campaign_id}/pitches/${pitch.pitch_id}`, {version: pitch.version, status: status.value});
    banner("ok", `${label}: ${words(status.value)}.`); await reload();
  })}, PITCH_STATUSES.map((s) => el("option", {value: s, selected: s === pitch.status}, words(s))));
  const reply = pitch.reply;
  const category = reply && el("select", {"aria-label": `Reply category of ${label}`, disabled: !can("edit"), onchange: guarded(async () => {
    await api("PUT", `/api/campaigns/${campaign.campaign_id}/pitches/${pitch.pitch_id}/reply-category`, {version: pitch.version, category: category.value});
    banner("ok", `${label}: reply marked ${words(category.value)}.`); await reload();
  })}, CATEGORIES.map((c) => el("option", {value: c, selected: c === reply.category}, words(c))));
  return el("tr", {"data-pitch": pitch.pitch_id},
    el("td", {}, label, el("div", {class: "muted"}, pitch.outlet || "")), el("td", {}, status),
    el("td", {}, reply ? [category, el("div", {class: "muted"}, `confidence ${Math.round(reply.confidence * 100)}%${reply.category_source === "user" ? " · corrected" : ""}`)] : "—"),
    el("td", {}, reply ? [el("div", {class: "preview"}, reply.preview || ""),
      reply.open_in_gmail_url ? el("a", {href: reply.open_in_gmail_url, target: "_blank", rel: "noopener"}, "Open in Gmail") : null] : "—"));
}
// Gmail's activity: a reply detected (GET /api/replies), its category corrected through the pitch's reply-category route.
function replyRow(r, reload) {
  const label = r.contact_name || r.email;
  const category = el("select", {"aria-label": `Reply category of ${label}`, disabled: !can("edit"), onchange: guarded(async () => {
    await api("PUT", `/api/campaigns/${r.campaign_id}/pitches/${r.pitch_id}/reply-category`, {version: r.pitch_version, category: category.value});
    banner("ok", `${label}: reply marked ${words(category.value)}.`); await reload();
  })}, CATEGORIES.map((c) => el("option", {value: c, selected: c === r.reply.category}, words(c))));
  return el("tr", {"data-pitch": r.pitch_id},
    el("td", {}, label, el("div", {class: "muted"}, `${r.campaign_title} · ${words(r.pitch_status)} · ${ago(r.reply.received_at)}`)),
    el("td", {}, category, r.reply.category_source === "user" ? el("div", {class: "muted"}, "corrected by you") : null),
    el("td", {}, `${Math.round(r.reply.confidence * 100)}%`),
    el("td", {}, el("div", {class: "preview"}, r.reply.preview || ""),
      r.reply.open_in_gmail_url ? el("a", {href: r.reply.open_in_gmail_url, target: "_blank", rel: "noopener"}, "Open in Gmail") : null));
}

async function campaignsScreen() {
  const at = location.href;
  const campaigns = (await api("GET", "/api/campaigns")).campaigns;
  const seen = [campaigns];
  const blocks = await Promise.all(campaigns.map(async (c) => {
    const pitches = (await api("GET", `/api/campaigns/${c.campaign_id}/pitches`)).pitches;
    seen.push(pitches);
    const addForm = el("form", {class: "actions", "aria-label": `Add a pitch to ${c.title}`, onsubmit: guarded(async (ev) => {
      const f = new FormData(ev.target);
      await api("POST", `/api/campaigns/${c.campaign_id}/pitches`, {contact_name: f.get("contact_name"), email: f.get("email"), outlet: f.get("outlet") || undefined,
        subject: f.get("subject") || undefined, status: "sent"});
      await campaignsScreen();
    })}, field("Contact", el("input", {name: "contact_name", required: true})),
      field("E-mail", el("input", {name: "email", type: "email", required: true})),
      field("Outlet", el("input", {name: "outlet"})),
      // Gmail finds a pitch's thread by its contact and this subject (or the campaign's title).
      field("E-mail subject", el("input", {name: "subject"})), el("button", {}, "Add pitch"));
    return el("section", {"aria-labelledby": `c-${c.campaign_id}`},
      el("h2", {id: `c-${c.campaign_id}`}, c.title), el("p", {class: "muted"}, `${c.artist || ""} · ${words(c.status)}`),
      el("div", {class: "table-wrap"}, el("table", {}, el("thead", {}, el("tr", {}, ["Contact", "Status", "Reply", "Preview"].map((h) => el("th", {scope: "col"}, h)))),
        el("tbody", {}, pitches.map((p) => pitchRow(c, p, campaignsScreen))))),
      can("edit") ? addForm : null);
  }));
  if (location.href !== at) return;
  paint(seen, el("h1", {}, "Campaigns"),
    can("edit") && el("form", {class: "actions", "aria-label": "Create campaign", onsubmit: guarded(async (ev) => {
      const f = new FormData(ev.target);
      await api("POST", "/api/campaigns", {title: f.get("title"), artist: f.get("artist") || undefined});
      banner("ok", `Campaign ${f.get("title")} created.`); await campaignsScreen();
    })}, field("Campaign title", el("input", {name: "title", required: true})),
      field("Artist", el("input", {name: "artist"})), el("button", {}, "Create campaign")),
    ...blocks);
}

export async function route() {
  const path = location.pathname.replace(/\/+$/, "");
  const query = new URLSearchParams(location.search);
  // Back from consent inside the popup: hand the landing to the page that opened it, then close.
  if (window.opener && query.get("status") && window.opener.location.origin === location.origin) {
    window.opener.postMessage({type: "tracker-consent", path: location.pathname + location.search}, location.origin);
    window.close();
    return;
  }
  if (query.get("status") === "connected") banner("ok", "Connected. Choose what to sync next.");
  if (query.get("status") === "error") banner("fail", query.get("message") || "The connection failed; nothing was stored.");
  refreshScreen = null;
  if (!session().token) { paint(null, el("h1", {}, "Integrations"), el("p", {}, "Sign in above to see your integrations.")); return; }
  await loadMe().catch(() => { me = null; });
  $("who").textContent = `Signed in as ${session().user} (${session().plan}, ${session().role})`;
  const match = path.match(/^\/app\/integrations\/([a-z-]+)\/(connect|configure|activity)$/);
  try {
    if (match && match[2] === "connect") connectScreen(match[1]);
    else if (match && match[2] === "configure") await configureScreen(match[1]);
    else refreshScreen = match ? () => activityScreen(match[1]) : path === "/app/activity" ? () => activityScreen(null)
      : path === "/app/campaigns" ? campaignsScreen : dashboard;
    if (refreshScreen) await refreshScreen();
  } catch (e) { banner("fail", e.message); }
}

function start() {
  const s = session();
  // The selectors show the signed-in session, not their defaults (an agency user saw "free").
  $("user").value = s.user || "dan"; $("plan").value = s.plan; $("role").value = s.role;
  $("team").value = localStorage.getItem("tracker-team") || "";
  $("signin").addEventListener("submit", guarded(async () => {
    // A team and role go with the token only together (a member of that team account); alone, the user is the owner.
    const team = $("team").value.trim();
    const query = new URLSearchParams({user: $("user").value, plan: $("plan").value, ...(team ? {team, role: $("role").value} : {})});
    const res = await fetch(`${API}/local/token?${query}`);
    const data = await res.json();
    if (!res.ok) throw new Error(data.error.message);
    localStorage.setItem("tracker-token", data.token); localStorage.setItem("tracker-user", data.user);
    localStorage.setItem("tracker-plan", data.plan); localStorage.setItem("tracker-role", $("role").value);
    localStorage.setItem("tracker-team", team);
    await route();
  }));
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='/app']");
    if (link && !link.target && !event.metaKey && !event.ctrlKey) { event.preventDefault(); go(link.getAttribute("href")); }
  });
  window.addEventListener("popstate", route);
  main().addEventListener("input", () => { main().dataset.dirty = "1"; });
  route();
}
start();

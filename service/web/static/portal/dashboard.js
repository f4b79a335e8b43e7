// The Recognition dashboard: every ceremony and certificate request with the guide's status words, a
// details popup per name and a "three dots" menu per row, both offering the available actions.
import { graphql, mutate } from "./api.js";
import { $, element, localDateTime, show } from "./dom.js";
import { navigate, pathOf, replace } from "./router.js";

const FIELDS = `
  id name kind status statusLabel availableActions dateRange { start end } partner { name }
  ... on Ceremony { startsAt timeZone }`;
const PAGE_SIZE = 50;
const RECOGNITIONS = `
  query Recognitions($after: String) {
    recognitions(first: ${PAGE_SIZE}, after: $after) {
      edges { node { ${FIELDS} } }
      pageInfo { hasNextPage endCursor }
    }
  }`;
let nextPage = null; // the cursor after the rows shown, while there are more
export const RECOGNITION = `
  query Recognition($id: ID!) {
    recognition(id: $id) {
      ${FIELDS}
      createdAt createdBy { name }
      cohorts { id name endsOn program { name } }
      counts { completers approaching certificatesIssued }
      events { kind at actorName }
      certificates(first: 100) { totalCount edges { node { code status recipientName issuedAt } } }
      ... on Ceremony {
        format representativeRequested meetingUrl submittedAt pinsMailedAt cancelledAt cancellationReason
        mailingContact { name email phone }
        postalAddress { line1 line2 city region postalCode country }
      }
    }
  }`;
const MUTATIONS = {
  MARK_PINS_MAILED: ["ceremonyMarkPinsMailed", "mutation($input: CeremonyMarkPinsMailedInput!) { ceremonyMarkPinsMailed(input: $input) { errors { field code message } } }"],
  CANCEL: ["ceremonyCancel", "mutation($input: CeremonyCancelInput!) { ceremonyCancel(input: $input) { errors { field code message } } }"],
  FINALIZE: ["certificateRequestFinalize", "mutation($input: CertificateRequestFinalizeInput!) { certificateRequestFinalize(input: $input) { errors { field code message } } }"],
  DELETE: ["recognitionDelete", "mutation($input: RecognitionDeleteInput!) { recognitionDelete(input: $input) { errors { field code message } } }"],
};
const ACTION_WORDS = {
  VIEW: "View details",
  EDIT: "Edit",
  SUBMIT: "Continue to submit",
  FINALIZE: "Finalize",
  CERTIFICATES: "Certificates",
  MARK_PINS_MAILED: "Mark pins mailed",
  CANCEL: "Cancel ceremony",
  DELETE: "Delete draft",
};
const CONFIRM = {
  CANCEL: "Cancel this ceremony? Everyone invited is told, and this cannot be undone.",
  DELETE: "Delete this draft? This cannot be undone.",
};

// A certificate's status in words: provisional (issued early) and voided ones shown as such.
export const CERTIFICATE_WORDS = { VALID: "Issued", PROVISIONAL: "Provisional", VOIDED: "Voided", REVOKED: "Revoked", REPLACED: "Replaced" };

export const viewer = { staff: false };

export async function showDashboard(more) {
  $("recognitions-error").textContent = "";
  const { recognitions } = await graphql(RECOGNITIONS, { after: more ? nextPage : null });
  $("partner-heading").hidden = !viewer.staff;
  const rows = recognitions.edges.map(({ node }) => row(node));
  if (more) $("recognition-rows").append(...rows);
  else $("recognition-rows").replaceChildren(...rows);
  nextPage = recognitions.pageInfo.hasNextPage ? recognitions.pageInfo.endCursor : null;
  $("more-recognitions").hidden = !nextPage;
  // "Show more" may hide itself: keyboard and reader users go on from the first row added.
  if (more && rows.length) rows[0].querySelector("a").focus();
  if ($("recognitions").hidden) show("recognitions");
}

function row(node) {
  const kind = node.kind === "CEREMONY" ? "Ceremony" : "Certificate request";
  const when = node.startsAt ? `${node.startsAt.slice(0, 16).replace("T", " ")} (${node.timeZone})` : "–";
  return element(
    "tr",
    { "data-id": node.id },
    element("td", { class: "wrap" }, element("a", { href: pathOf(node.id), "data-route": "" }, node.name)),
    viewer.staff ? element("td", { class: "wrap" }, node.partner.name) : null,
    element("td", {}, kind),
    element("td", {}, element("span", { class: `badge ${node.status}` }, node.statusLabel)),
    element("td", { class: "nowrap" }, node.dateRange.start, element("br"), `– ${node.dateRange.end}`),
    element("td", {}, when),
    element("td", {}, rowMenu(node))
  );
}

// The "three dots" menu: a disclosure button and the row's actions; Escape closes it.
function rowMenu(node) {
  const actions = node.availableActions.filter((action) => action !== "VIEW");
  const list = element(
    "ul",
    { class: "menu", hidden: true },
    actions.map((action) =>
      element("li", {}, element("button", { type: "button", onclick: () => act(node, action) }, ACTION_WORDS[action]))
    )
  );
  const button = element(
    "button",
    {
      type: "button",
      class: "dots",
      "aria-expanded": "false",
      "aria-label": `Actions for ${node.name}`,
      onclick: () => toggle(button, list),
    },
    "⋯"
  );
  const wrapper = element("div", { class: "menu-wrapper" }, button, list);
  wrapper.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !list.hidden) {
      toggle(button, list);
      button.focus();
    }
  });
  return wrapper;
}

function toggle(button, list) {
  const open = list.hidden;
  for (const other of document.querySelectorAll(".menu:not([hidden])")) closeMenu(other);
  list.hidden = !open;
  button.setAttribute("aria-expanded", String(open));
  if (open && list.querySelector("button")) list.querySelector("button").focus();
}

function closeMenu(list) {
  list.hidden = true;
  list.previousElementSibling.setAttribute("aria-expanded", "false");
}

document.addEventListener("click", (event) => {
  if (event.target.closest(".menu-wrapper")) return;
  for (const list of document.querySelectorAll(".menu:not([hidden])")) closeMenu(list);
});

async function act(node, action) {
  const error = $("details").open ? $("details-error") : $("recognitions-error");
  error.textContent = "";
  try {
    if (action === "VIEW") return await navigate(pathOf(node.id));
    if (action === "EDIT" || action === "SUBMIT") return await navigate(pathOf(node.id, "edit"));
    if (action === "CERTIFICATES") return await navigate(pathOf(node.id, "certificates"));
    if (CONFIRM[action] && !window.confirm(CONFIRM[action])) return;
    const [field, query] = MUTATIONS[action];
    await mutate(query, { input: { id: node.id } }, field);
    if (action === "DELETE") return await navigate("/");
    await showDashboard();
    if ($("details").open) await showDetails(node.id);
  } catch (failure) {
    error.textContent = failure.message;
  }
}

// A global id; or a database number, from links mailed before they carried global ids.
export async function recognitionNamed(id) {
  if (!/^\d+$/.test(id)) return (await graphql(RECOGNITION, { id })).recognition;
  for (const type of ["Ceremony", "CertificateRequest"]) {
    const { recognition } = await graphql(RECOGNITION, { id: btoa(`${type}:${id}`) });
    if (recognition) {
      replace(location.pathname.replace(`/recognitions/${id}`, pathOf(recognition.id)));
      return recognition;
    }
  }
  return null;
}

export function notFound() {
  $("recognitions-error").textContent = "That recognition was not found, or is not yours to see.";
}

// The details popup, over the dashboard.
export async function showDetails(id) {
  const recognition = await recognitionNamed(id);
  if (!recognition) return notFound();
  const dialog = $("details");
  dialog.dataset.id = recognition.id;
  $("details-title").textContent = recognition.name;
  $("details-status").className = `badge ${recognition.status}`;
  $("details-status").textContent = recognition.statusLabel;
  $("details-facts").replaceChildren(
    ...facts(recognition).flatMap(([term, value]) => [element("dt", {}, term), element("dd", {}, value)])
  );
  $("details-cohorts").replaceChildren(
    ...recognition.cohorts.map((cohort) =>
      element("li", {}, `${cohort.program.name} · ${cohort.name} (ends ${cohort.endsOn})`)
    )
  );
  $("details-certificates").replaceChildren(
    ...recognition.certificates.edges.map(({ node }) =>
      element("li", {}, `${node.recipientName} · ${node.code} `, element("span", { class: `badge ${node.status}` }, CERTIFICATE_WORDS[node.status]))
    )
  );
  $("details-certificates-none").hidden = recognition.certificates.totalCount > 0;
  $("details-events").replaceChildren(
    ...recognition.events.map((event) =>
      element("li", {}, `${localDateTime(event.at)} · ${event.kind.toLowerCase().replaceAll("_", " ")} · ${event.actorName}`)
    )
  );
  $("details-actions").replaceChildren(
    ...recognition.availableActions
      .filter((action) => action !== "VIEW")
      .map((action) =>
        element("button", { type: "button", "data-action": action, onclick: () => act(recognition, action) }, ACTION_WORDS[action])
      )
  );
  $("details-error").textContent = "";
  if (!dialog.open) dialog.showModal();
}

function facts(recognition) {
  const counts = recognition.counts;
  const list = [
    ["Kind", recognition.kind === "CEREMONY" ? "Ceremony" : "Certificate request"],
    ["Partner", recognition.partner.name],
    ["Cohorts ending", `${recognition.dateRange.start} – ${recognition.dateRange.end}`],
    ["Completers", String(counts.completers)],
    ["Approaching", String(counts.approaching)],
    ["Certificates issued", String(counts.certificatesIssued)],
    ["Created", `${localDateTime(recognition.createdAt)}${recognition.createdBy ? ` by ${recognition.createdBy.name}` : ""}`],
  ];
  if (recognition.kind !== "CEREMONY") return list;
  const address = recognition.postalAddress;
  const where = [address.line1, address.line2, address.city, address.region, address.postalCode, address.country];
  const contact = recognition.mailingContact;
  const format = { ONLINE: "Online", IN_PERSON: "In person" }[recognition.format] || "–";
  list.push(
    ["Starts", recognition.startsAt ? `${recognition.startsAt.slice(0, 16).replace("T", " ")} (${recognition.timeZone})` : "–"],
    ["Format", format],
    ["Representative requested", recognition.representativeRequested ? "Yes" : "No"],
    ["Mailing contact", [contact.name, contact.email, contact.phone].filter(Boolean).join(", ") || "–"],
    ["Pins to", where.filter(Boolean).join(", ") || "–"],
    ["Submitted", localDateTime(recognition.submittedAt)],
    ["Pins mailed", localDateTime(recognition.pinsMailedAt)]
  );
  if (recognition.meetingUrl) list.push(["Meeting link", recognition.meetingUrl]);
  if (recognition.cancelledAt) list.push(["Cancelled", `${localDateTime(recognition.cancelledAt)} ${recognition.cancellationReason || ""}`]);
  return list;
}

export function closeDetails() {
  if ($("details").open) $("details").close();
}

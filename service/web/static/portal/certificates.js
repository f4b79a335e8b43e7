// The certificates step: completers and approaching course-takers of a recognition; one certificate
// from its paper icon, a combined file with its progress (from the subscription), the last file, CSV.
import { ApiError, graphql, mutate, SessionEndedError, subscribe } from "./api.js";
import { CERTIFICATE_WORDS, viewer } from "./dashboard.js";
import { $, element, localDateTime, show } from "./dom.js";
import { pathOf } from "./router.js";

const PAGE_SIZE = 50;
const MAX_PAGE = 100; // the API's largest page
// The most certificates one combined file holds: the API refuses more (SELECTION_TOO_LARGE, docs/api.md).
const FILE_LIMIT = 5000;
const CANDIDATES = `
  query Candidates($id: ID!, $kind: CandidateKind!, $cohortId: ID, $after: String, $first: Int!) {
    recognition(id: $id) {
      certificateCandidates(first: $first, after: $after, filter: { kind: $kind, cohortId: $cohortId }) {
        totalCount completerCount approachingCount
        edges {
          node {
            enrollmentId name email completedOn
            cohort { name }
            certificateType { name }
            progress { percent syncedAt }
            certificate { status recognition { id name } }
            revokedCertificate { code revokedReason }
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }`;
// Every course-taker of a tab, as little of each as a file or an export of one tab's "everyone but …"
// with some of the other tab needs.
const CANDIDATE_IDS = `
  query CandidateIds($id: ID!, $kind: CandidateKind!, $cohortId: ID, $after: String) {
    recognition(id: $id) {
      certificateCandidates(first: ${MAX_PAGE}, after: $after, filter: { kind: $kind, cohortId: $cohortId }) {
        edges { node { enrollmentId name certificate { status } revokedCertificate { code revokedReason } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }`;
const ISSUE = `
  mutation Issue($input: CertificateIssueInput!) {
    certificateIssue(input: $input) { certificate { status downloadUrl recognition { id name } } errors { field code message } }
  }`;
const JOB = "job { id status done total } errors { field code message }";
const LEFT_OUT = "leftOut { name revokedCertificate { code revokedReason } }";
const REQUEST_FILE = `
  mutation($input: CertificateFileRequestInput!) { certificateFileRequest(input: $input) { ${JOB} ${LEFT_OUT} } }`;
// Made again without anyone whose certificate staff revoked since (`leftOut`).
const REGENERATE = `
  mutation($input: CertificateFileRegenerateInput!) { certificateFileRegenerate(input: $input) { ${JOB} ${LEFT_OUT} } }`;
const JOB_FIELDS = "id status done total errorMessage file { downloadUrl pageCount size }";
const JOB_UPDATES = `subscription JobUpdates($id: ID!) { certificateFileJobUpdated(id: $id) { ${JOB_FIELDS} } }`;
// The job read over HTTP, when its subscription is lost for good.
const JOB_NOW = `query JobNow($id: ID!) { node(id: $id) { ... on CertificateFileJob { ${JOB_FIELDS} } } }`;
const RECONNECTING = "Reconnecting to the server…";
const LOST = "Lost contact with the server. The file is still being made: reload this page to follow it, or wait for the mail that says it is ready.";
const LAST_FILE = `
  query LastFile($id: ID!) {
    recognition(id: $id) { lastCertificateFile { finishedAt file { downloadUrl pageCount } } }
  }`;
// The file a "file ready" mail links to (`?file=` on this page's address): that very job, which may
// not be the recognition's newest file.
const MAILED_FILE = `
  query MailedFile($id: ID!) {
    node(id: $id) {
      ... on CertificateFileJob { id status done total errorMessage file { downloadUrl pageCount } recognition { id name } ${LEFT_OUT} }
    }
  }`;
const EXPORT_CSV = `
  mutation ExportCsv($input: CertificateCandidatesExportInput!) {
    certificateCandidatesExport(input: $input) { downloadUrl errors { field code message } }
  }`;
const STATUS_WORDS = CERTIFICATE_WORDS;

// What is on screen: the open recognition, its listed candidates and the selection, which holds
// across both tabs (one file may hold completers and approaching alike). `selected`: enrolment id →
// its tab's kind, for the rows listed. `allOf`: the tabs whose "select all" over every page is on,
// listed or not; `excluded`: enrolment id → kind, those of such a tab unticked since ("everyone but
// these"). A tab selected whole, or but some, is asked of the API by filter (with those as its
// exceptions). `counts`: each tab's number of course-takers. `cohortId`: the cohort the list is
// narrowed to (null: every cohort of the recognition).
const KINDS = ["COMPLETER", "APPROACHING"];
const state = { recognition: null, kind: "COMPLETER", cohortId: null, after: null, listed: [], selected: new Map(), allOf: new Set(), excluded: new Map(), counts: { COMPLETER: 0, APPROACHING: 0 }, total: 0, stopWatching: null, relisted: null };

// Only one job's progress is shown: a file asked for earlier (or on another recognition) must not
// write over it. Leaving the page ends the watching, not the file: its mail still comes.
export function stopWatchingJob() {
  if (state.stopWatching) state.stopWatching();
  state.stopWatching = null;
}

export async function showCertificates(recognition, fileId) {
  stopWatchingJob();
  state.recognition = recognition;
  state.cohortId = null;
  clearSelection();
  showCohorts(recognition.cohorts || []);
  $("certificates-title").textContent = `Certificates · ${recognition.name}`;
  $("links").replaceChildren();
  $("job").hidden = true;
  $("certificates-error").textContent = "";
  $("mailed-file").hidden = true;
  $("mailed-file").replaceChildren();
  showLeftOut([]);
  show("certificates");
  await Promise.all([listCandidates("COMPLETER"), fileId ? showMailedFile(fileId) : null]);
}

function clearSelection() {
  state.selected.clear();
  state.allOf.clear();
  state.excluded.clear();
}

// The cohort filter, offered when the recognition has more than one cohort: it narrows the list (and
// so what "select all" takes), e.g. to make a combined file of a cohort at a time.
function showCohorts(cohorts) {
  const options = cohorts.map((cohort) => element("option", { value: cohort.id }, cohort.program ? `${cohort.name} · ${cohort.program.name}` : cohort.name));
  $("cohort-filter").replaceChildren(element("option", { value: "" }, "All cohorts"), ...options);
  $("cohort-filter").value = "";
  $("cohort-filter-field").hidden = cohorts.length < 2;
}

// Another cohort chosen: the list is of it, and the selection starts again (it was of the list before).
async function narrowToCohort(cohortId) {
  state.cohortId = cohortId || null;
  clearSelection();
  await listCandidates(state.kind);
}

async function showMailedFile(id) {
  let job = null;
  try {
    job = (await graphql(MAILED_FILE, { id })).node;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    job = null; // a malformed id names no file either
  }
  let content;
  if (!job || !job.status) content = "That certificates file was not found, or is not yours to see.";
  else if (job.recognition && job.recognition.id !== state.recognition.id) {
    // A link opened on another recognition's page: its file is not this page's to offer.
    const theirs = `${pathOf(job.recognition.id, "certificates")}?file=${encodeURIComponent(id)}`;
    content = [
      `That certificates file belongs to another recognition, “${job.recognition.name}”, not to this one. `,
      element("a", { id: "mailed-file-elsewhere", href: theirs, "data-route": "" }, "Open it on that recognition’s certificates page"),
    ];
  } else if (job.status === "READY") {
    content = element("a", { id: "mailed-file-link", href: job.file.downloadUrl, download: "" }, `Download this file (${job.file.pageCount} pages)`);
  } else if (job.status === "FAILED") content = `That certificates file could not be made: ${job.errorMessage || "it failed"}`;
  else content = `That certificates file is not ready yet (${job.done} of ${job.total} certificates done); the mail says when it is.`;
  $("mailed-file").replaceChildren(...[content].flat());
  $("mailed-file").hidden = false;
  // Who this file left out (its mail says so too), unless it is another recognition's.
  if (job && job.leftOut && (!job.recognition || job.recognition.id === state.recognition.id)) showLeftOut(job.leftOut);
}

async function listCandidates(kind, after) {
  state.kind = kind;
  const connection = await candidatesPage(kind, after, PAGE_SIZE);
  const candidates = connection.edges.map((edge) => edge.node);
  state.listed = after ? state.listed.concat(candidates) : candidates;
  drawCandidates(connection, candidates, Boolean(after));
}

async function candidatesPage(kind, after, first) {
  const variables = { id: state.recognition.id, kind, cohortId: state.cohortId, after: after || null, first };
  return (await graphql(CANDIDATES, variables)).recognition.certificateCandidates;
}

// The rows listed so far, read again (e.g. their certificates once a file has issued them): as many
// as were shown, the selection and the scroll position kept.
async function relistCandidates() {
  const kind = state.kind;
  const wanted = Math.max(state.listed.length, PAGE_SIZE);
  let candidates = [];
  let connection = null;
  let after = null;
  do {
    connection = await candidatesPage(kind, after, Math.min(MAX_PAGE, wanted - candidates.length));
    candidates = candidates.concat(connection.edges.map((edge) => edge.node));
    after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  } while (after && candidates.length < wanted);
  if (kind !== state.kind) return; // the other tab was opened meanwhile, and read afresh
  state.listed = candidates;
  drawCandidates(connection, candidates, false);
}

function drawCandidates(connection, candidates, appended) {
  const kind = state.kind;
  state.after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  state.total = connection.totalCount;
  state.counts = { COMPLETER: connection.completerCount, APPROACHING: connection.approachingCount };
  if (state.allOf.has(kind)) {
    for (const { enrollmentId } of candidates) if (!state.excluded.has(enrollmentId)) state.selected.set(enrollmentId, kind);
  }

  $("tab-completer").textContent = `Completers (${connection.completerCount})`;
  $("tab-approaching").textContent = `Approaching (${connection.approachingCount})`;
  for (const tab of document.querySelectorAll("#certificates [role=tab]")) {
    const selected = tab.dataset.kind === kind;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
  const synced = state.listed.map((candidate) => candidate.progress.syncedAt).filter(Boolean).sort();
  $("synced").textContent = synced.length ? `Progress last synced ${localDateTime(synced[synced.length - 1])}` : "Progress not synced yet";
  const rows = candidates.map(candidateRow);
  if (appended) $("candidate-rows").append(...rows);
  else $("candidate-rows").replaceChildren(...rows);
  $("more").hidden = !state.after;
  updateSelection();
}

function candidateRow(candidate) {
  const checkbox = element("input", {
    type: "checkbox",
    "aria-label": `Select ${candidate.name}`,
    onchange: (event) => choose(candidate.enrollmentId, event.target.checked),
  });
  checkbox.checked = state.selected.has(candidate.enrollmentId);
  const when = candidate.completedOn ? `Completed ${candidate.completedOn}` : `${Math.round(candidate.progress.percent)} % done`;
  const certificate = candidate.certificate;
  const revoked = certificate ? null : candidate.revokedCertificate;
  const shown = certificate ? certificate.status : revoked ? "REVOKED" : "";
  const status = shown ? STATUS_WORDS[shown] : candidate.completedOn ? "Not issued" : "Approaching";
  // After staff revoked a certificate only staff may issue another: anyone else is told so instead.
  const paper = revoked && !viewer.staff
    ? element("span", { class: "muted" }, "Only staff can issue another")
    : element(
        "button",
        { type: "button", class: "paper", "aria-label": `Certificate of ${candidate.name}`, title: "Download this certificate", onclick: () => act(() => issue(candidate)) },
        element("img", { src: "/static/paper.svg", alt: "", width: "20", height: "24" })
      );
  const badge = element("span", { class: `badge ${shown}` }, status);
  if (revoked) badge.title = `Certificate ${revoked.code} revoked by staff: ${revoked.revokedReason}`;
  return element(
    "tr",
    { "data-enrollment": candidate.enrollmentId },
    element("td", {}, checkbox),
    element("td", { class: "wrap" }, candidate.name),
    element("td", { class: "wrap" }, candidate.email),
    element("td", { class: "wrap" }, candidate.cohort.name),
    element("td", { class: "wrap" }, candidate.certificateType.name),
    element("td", {}, badge, ...whose(certificate)),
    element("td", {}, when),
    element("td", {}, paper)
  );
}

// A certificate that belongs to another recognition (a provisional one of another ceremony prints
// that ceremony's date; that ceremony's counts and files include it): the row says whose it is.
function whose(certificate) {
  const theirs = certificate && certificate.recognition;
  if (!theirs || theirs.id === state.recognition.id) return [];
  const link = element("a", { href: pathOf(theirs.id, "certificates"), "data-route": "" }, theirs.name);
  return [element("div", { class: "whose" }, "For ", link)];
}

// One row ticked or unticked. Under the tab's "select all", an unticked row is an exception to it.
function choose(id, checked) {
  const kind = state.kind;
  if (checked) {
    state.selected.set(id, kind);
    state.excluded.delete(id);
  } else {
    state.selected.delete(id);
    if (state.allOf.has(kind)) state.excluded.set(id, kind);
    if (state.allOf.has(kind) && selectedOf(kind) === 0) selectNoneOf(kind);
  }
  updateSelection();
}

// Nobody of the tab, listed or not.
function selectNoneOf(kind) {
  state.allOf.delete(kind);
  for (const map of [state.selected, state.excluded]) {
    for (const [id, selectedKind] of map) if (selectedKind === kind) map.delete(id);
  }
}

function selectListed(checked) {
  const kind = state.kind;
  // Unticked under "select all": the tab's whole selection goes, not only the rows on screen (else
  // people never shown would stay selected).
  if (!checked && state.allOf.has(kind)) selectNoneOf(kind);
  for (const { enrollmentId } of state.listed) {
    if (checked) state.selected.set(enrollmentId, kind);
    else state.selected.delete(enrollmentId);
    state.excluded.delete(enrollmentId);
  }
  for (const box of $("candidate-rows").querySelectorAll("input[type=checkbox]")) box.checked = checked;
  // Everyone of the tab is listed: that is "select all" (asked of the API by filter, which leaves out
  // those only staff may issue a certificate and says who).
  if (checked && !state.after) state.allOf.add(kind);
  updateSelection();
}

function selectEveryone() {
  for (const [id, kind] of state.excluded) if (kind === state.kind) state.excluded.delete(id);
  state.allOf.add(state.kind);
  selectListed(true);
}

function excludedOf(kind) {
  let count = 0;
  for (const excludedKind of state.excluded.values()) if (excludedKind === kind) count += 1;
  return count;
}

// The tab's "select all" is on, with no exceptions.
function wholeTab(kind) {
  return state.allOf.has(kind) && excludedOf(kind) === 0;
}

// How many of a tab's course-takers are selected (all of them but the exceptions with its "select
// all", listed or not).
function selectedOf(kind) {
  if (state.allOf.has(kind)) return Math.max(0, state.counts[kind] - excludedOf(kind));
  let count = 0;
  for (const selectedKind of state.selected.values()) if (selectedKind === kind) count += 1;
  return count;
}

function updateSelection() {
  const completers = selectedOf("COMPLETER");
  const approaching = selectedOf("APPROACHING");
  const count = completers + approaching;
  const mine = state.kind === "COMPLETER" ? completers : approaching;
  let words = wholeTab(state.kind) && count === mine ? `All ${count} selected` : `${count} selected`;
  if (completers && approaching) words += ` (${completers} completers, ${approaching} approaching)`;
  $("selected-count").textContent = words;
  // The guide: certificates and the CSV are of the selected course-takers.
  // More than a combined file holds: said before it is asked for, with how to narrow the selection.
  const tooMany = count > FILE_LIMIT;
  const narrow = $("cohort-filter-field").hidden ? "Untick some" : "Choose a cohort above to narrow the list, or untick some";
  $("file-limit").textContent = tooMany
    ? `A combined certificates file holds at most ${FILE_LIMIT.toLocaleString("en")} certificates, and ${count.toLocaleString("en")} are selected. ${narrow} to download their certificates. Export to CSV takes them all.`
    : "";
  $("file-limit").hidden = !tooMany;
  $("download-certificates").disabled = count === 0 || tooMany;
  $("export-csv").disabled = count === 0;
  $("select-first").hidden = count > 0;
  $("select-everyone").hidden = wholeTab(state.kind) || state.total <= state.listed.length;
  $("select-everyone").textContent = `Select all ${state.total}`;
  $("select-listed").checked = state.listed.length > 0 && state.listed.every((candidate) => state.selected.has(candidate.enrollmentId));
}

// The selection as the API takes it: a filter for "select all" of one tab (or of both), with those
// unticked since as its exceptions; else ids, completers first, in the page's order. Only a tab selected
// all (but some) together with some picked of the other is every course-taker of it, read from the API,
// but those, and the picked ones: a filter cannot say that.
async function selection(leftOut = null) {
  const input = { recognitionId: state.recognition.id };
  const picked = (kind) => [...state.selected].filter(([, selectedKind]) => selectedKind === kind).map(([id]) => id);
  const none = (kind) => !state.allOf.has(kind) && !picked(kind).length;
  const narrowed = state.cohortId ? { cohortId: state.cohortId } : {};
  const [completers, approaching] = KINDS.map((kind) => state.allOf.has(kind));
  if (completers && approaching) input.filter = { ...narrowed };
  else if (completers && none("APPROACHING")) input.filter = { kind: "COMPLETER", ...narrowed };
  else if (approaching && none("COMPLETER")) input.filter = { kind: "APPROACHING", ...narrowed };
  else if (state.allOf.size === 0) input.enrollmentIds = [...state.selected.keys()];
  else {
    input.enrollmentIds = [];
    for (const kind of KINDS) {
      input.enrollmentIds.push(...(state.allOf.has(kind) ? await everyoneOf(kind, leftOut) : picked(kind)));
    }
  }
  if (input.filter && state.excluded.size) input.exceptEnrollmentIds = [...state.excluded.keys()];
  return input;
}

// Every course-taker of the tab but its exceptions, in the page's order. With `leftOut` (a file is
// asked for), those only staff may issue a certificate are left out, as the API does for a filter,
// and put there.
async function everyoneOf(kind, leftOut = null) {
  const ids = [];
  let after = null;
  do {
    const variables = { id: state.recognition.id, kind, cohortId: state.cohortId, after };
    const connection = (await graphql(CANDIDATE_IDS, variables)).recognition.certificateCandidates;
    for (const { node } of connection.edges) {
      if (state.excluded.has(node.enrollmentId)) continue;
      const revoked = !node.certificate && node.revokedCertificate;
      if (leftOut && revoked && !viewer.staff) leftOut.push({ name: node.name, revokedCertificate: revoked });
      else ids.push(node.enrollmentId);
    }
    after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  } while (after);
  return ids;
}

function showLink(id, text, url) {
  const old = $(id);
  if (old) old.parentElement.remove();
  $("links").append(element("li", {}, element("a", { id, href: url, download: "" }, text)));
  $(id).focus();
}

async function act(action) {
  $("certificates-error").textContent = "";
  closeDownloadMenu();
  try {
    await action();
  } catch (error) {
    $("certificates-error").textContent = error.message;
  }
}

async function issue(candidate) {
  const input = { recognitionId: state.recognition.id, enrollmentId: candidate.enrollmentId };
  const { certificate } = await mutate(ISSUE, { input }, "certificateIssue");
  const row = $("candidate-rows").querySelector(`tr[data-enrollment="${CSS.escape(candidate.enrollmentId)}"]`);
  if (!row) return;
  const badge = row.querySelector(".badge");
  badge.className = `badge ${certificate.status}`;
  badge.textContent = STATUS_WORDS[certificate.status];
  const cell = badge.parentElement;
  cell.querySelectorAll(".whose").forEach((line) => line.remove());
  cell.append(...whose(certificate));
  // The download is offered in that row, where the person is looking: the page does not jump.
  const words = STATUS_WORDS[certificate.status].toLowerCase();
  const link = element("a", { class: "certificate-link", href: certificate.downloadUrl, download: "", "aria-label": `Download the certificate of ${candidate.name} (${words})` }, "Download");
  const old = row.querySelector(".certificate-link");
  if (old) old.replaceWith(link);
  else row.lastElementChild.append(" ", link);
  link.focus({ preventScroll: true });
}

// "Download Certificates": the file is made in the background; the subscription reports progress.
async function downloadCertificates() {
  showLeftOut([]);
  const leftOut = [];
  const payload = await mutate(REQUEST_FILE, { input: await selection(leftOut) }, "certificateFileRequest");
  showLeftOut(leftOut.concat(payload.leftOut));
  watch(payload.job);
}

// Who a file was made without, and why.
function showLeftOut(people) {
  const words = people.map(({ name, revokedCertificate: { code, revokedReason } }) => `${name} (certificate ${code} revoked by staff: ${revokedReason})`);
  $("file-left-out").textContent = words.length ? `Left out of this file, as only staff can issue them another certificate: ${words.join("; ")}.` : "";
  $("file-left-out").hidden = !words.length;
}

async function regenerate() {
  showLeftOut([]);
  const input = { recognitionId: state.recognition.id };
  const payload = await mutate(REGENERATE, { input }, "certificateFileRegenerate");
  showLeftOut(payload.leftOut);
  watch(payload.job);
}

// The job's progress from its subscription. While the socket is lost (a server restart, a network
// change) the page says it is reconnecting; once back, the server says where the job stands now. Lost
// for good, the job is read once over HTTP instead.
function watch(job) {
  stopWatchingJob();
  showConnection("");
  showJob(job);
  let watching = null;
  // The callbacks of a job no longer watched (another file asked for, the page left) do nothing.
  const current = () => watching !== null && state.stopWatching === watching;
  const stop = subscribe(JOB_UPDATES, { id: job.id }, {
    next: (result) => {
      if (!current()) return;
      showConnection("");
      if (result.errors) $("certificates-error").textContent = result.errors[0].message;
      else showJob(result.data.certificateFileJobUpdated);
    },
    reconnecting: () => {
      if (current()) showConnection(RECONNECTING);
    },
    reconnected: () => {
      if (current()) showConnection("");
    },
    error: (error) => {
      if (!current()) return;
      state.stopWatching = null;
      // The API's refusal of the subscription itself (e.g. a file not found), or the socket lost for good.
      if (Array.isArray(error)) {
        showConnection("");
        $("certificates-error").textContent = error[0].message;
      } else readJobAgain(job.id);
    },
    complete: () => {
      if (current()) state.stopWatching = null;
    },
  });
  watching = () => {
    showConnection("");
    stop();
  };
  state.stopWatching = watching;
}

async function readJobAgain(id) {
  try {
    const job = (await graphql(JOB_NOW, { id })).node;
    if (job && job.status) showJob(job);
    const finished = job && (job.status === "READY" || job.status === "FAILED");
    showConnection(finished ? "" : LOST);
  } catch (error) {
    // Signed out meanwhile: the sign-in is on screen, and brings the person back here.
    showConnection(error instanceof SessionEndedError ? "" : LOST);
  }
}

function showConnection(words) {
  $("job-connection").textContent = words;
  $("job-connection").hidden = !words;
}

function showJob(job) {
  const percent = job.total ? Math.floor((100 * job.done) / job.total) : 0;
  $("job").hidden = false;
  $("job").dataset.jobId = job.id;
  $("job").dataset.status = job.status;
  $("job-progress").max = job.total || 1;
  $("job-progress").value = job.done;
  $("job-text").textContent = `${job.status.toLowerCase()} · ${job.done} of ${job.total} (${percent} %)`;
  // Once the file is made (or has failed) no mail is to be waited for on this page.
  $("job-leave").hidden = job.status === "READY" || job.status === "FAILED";
  if (job.status === "READY") {
    showLink("file-link", `Download the certificates (${job.file.pageCount} pages)`, job.file.downloadUrl);
    // Its course-takers' certificates are issued now: their badges are read again.
    if (state.relisted !== job.id) {
      state.relisted = job.id;
      relistCandidates().catch((error) => ($("certificates-error").textContent = error.message));
    }
  } else if (job.status === "FAILED") $("certificates-error").textContent = job.errorMessage;
}

async function downloadLastFile() {
  const last = (await graphql(LAST_FILE, { id: state.recognition.id })).recognition.lastCertificateFile;
  if (!last || !last.file) throw new Error("No certificates file has been made for this recognition yet.");
  showLink("last-file-link", `Last certificates file (${last.file.pageCount} pages, ${localDateTime(last.finishedAt)})`, last.file.downloadUrl);
}

// The selected course-takers (the menu item is disabled while nobody is).
async function exportCsv() {
  const input = await selection();
  const payload = await mutate(EXPORT_CSV, { input }, "certificateCandidatesExport");
  showLink("csv-link", "Course-takers as CSV", payload.downloadUrl);
}

function closeDownloadMenu() {
  $("download-menu").hidden = true;
  $("download-button").setAttribute("aria-expanded", "false");
}

export function wireCertificates() {
  $("tab-completer").addEventListener("click", () => act(() => listCandidates("COMPLETER")));
  $("tab-approaching").addEventListener("click", () => act(() => listCandidates("APPROACHING")));
  $("cohort-filter").addEventListener("change", (event) => act(() => narrowToCohort(event.target.value)));
  $("certificates").querySelector("[role=tablist]").addEventListener("keydown", (event) => {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    const next = state.kind === "COMPLETER" ? $("tab-approaching") : $("tab-completer");
    next.focus();
    next.click();
  });
  $("more").addEventListener("click", () => act(() => listCandidates(state.kind, state.after)));
  $("select-listed").addEventListener("change", (event) => selectListed(event.target.checked));
  $("select-everyone").addEventListener("click", selectEveryone);
  $("download-button").addEventListener("click", () => {
    const open = $("download-menu").hidden;
    $("download-menu").hidden = !open;
    $("download-button").setAttribute("aria-expanded", String(open));
    if (open) $("download-menu").querySelector("button:not([disabled])").focus();
  });
  $("download-menu").addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closeDownloadMenu();
      $("download-button").focus();
    }
  });
  $("download-certificates").addEventListener("click", () => act(downloadCertificates));
  $("download-last").addEventListener("click", () => act(downloadLastFile));
  $("regenerate").addEventListener("click", () => act(regenerate));
  $("export-csv").addEventListener("click", () => act(exportCsv));
}

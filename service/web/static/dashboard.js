// An example partner dashboard on the public GraphQL API only: queries and mutations over HTTP, a
// certificates file's progress over a graphql-ws subscription. Data from the API reaches the page
// only as text (textContent, attribute values), never as HTML.
//
// Routes (what the links in our mail open, see PORTAL_APP_RECOGNITION_ROUTE): `#/recognitions/{id}`
// shows a recognition's details, `#/recognitions/{id}/certificates` its certificates step; `{id}`
// is the API's global id (percent-encoded where needed).
(function () {
  "use strict";

  // GraphiQL on this origin reads the token from here too.
  const TOKEN_KEY = "recognition.token";
  const PAGE_SIZE = 100;
  const ROUTE = /^#\/recognitions\/([^/]+)(\/certificates)?\/?$/;

  const VIEWER = `query Viewer { viewer { email name partner { name } } }`;
  const RECOGNITIONS = `
    query Recognitions {
      recognitions(first: 100) {
        edges { node { id name kind status statusLabel availableActions dateRange { start end } } }
      }
    }`;
  const CANCEL = `
    mutation Cancel($input: CeremonyCancelInput!) {
      ceremonyCancel(input: $input) { ceremony { id } errors { code message } }
    }`;
  const RECOGNITION = `
    query Recognition($id: ID!) {
      recognition(id: $id) {
        id name kind status statusLabel availableActions dateRange { start end }
        events { kind at actorName }
        ... on Ceremony {
          startsAt timeZone format meetingUrl
          postalAddress { line1 line2 city region postalCode country }
        }
      }
    }`;
  const CANDIDATES = `
    query Candidates($id: ID!, $kind: CandidateKind!, $after: String) {
      recognition(id: $id) {
        certificateCandidates(first: ${PAGE_SIZE}, after: $after, filter: { kind: $kind }) {
          completerCount
          approachingCount
          edges {
            node {
              enrollmentId name email completedAt
              cohort { name }
              certificateType { name }
              progress { percent }
            }
          }
          pageInfo { hasNextPage endCursor }
        }
      }
    }`;
  const REQUEST_FILE = `
    mutation RequestFile($input: CertificateFileRequestInput!) {
      certificateFileRequest(input: $input) { job { id status done total } errors { code message } }
    }`;
  const JOB_UPDATES = `
    subscription JobUpdates($id: ID!) {
      certificateFileJobUpdated(id: $id) {
        id status done total errorMessage
        file { downloadUrl pageCount size }
      }
    }`;
  const LAST_FILE = `
    query LastFile($id: ID!) {
      recognition(id: $id) { lastCertificateFile { finishedAt file { downloadUrl pageCount } } }
    }`;
  const EXPORT_CSV = `
    mutation ExportCsv($input: CertificateCandidatesExportInput!) {
      certificateCandidatesExport(input: $input) { downloadUrl errors { code message } }
    }`;

  const $ = (id) => document.getElementById(id);

  // What is on screen: the open recognition, its listed candidates and the selection.
  const state = {
    recognition: null,
    kind: "COMPLETER",
    after: null,
    listed: [],
    selected: new Set(),
    stopWatching: null, // ends the subscription to the file job being shown
  };
  let socket = null;

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    node.append(...children.map((child) => (child == null ? "" : child)));
    return node;
  }

  function show(sectionId) {
    for (const id of ["sign-in", "recognitions", "details", "certificates"]) $(id).hidden = id !== sectionId;
  }

  // --- the API -------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(error) {
      super(error.message);
      this.code = error.extensions && error.extensions.code;
    }
  }

  async function graphql(query, variables) {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json",
        Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) || ""}`,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json();
    if (body.errors && body.errors.length) throw new ApiError(body.errors[0]);
    return body.data;
  }

  // One WebSocket for every subscription, signed in with the token in connection_init.
  function subscriptions() {
    if (!socket) {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      socket = graphqlWs.createClient({
        url: `${scheme}//${location.host}/graphql`,
        connectionParams: () => ({ authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` }),
      });
    }
    return socket;
  }

  function payloadErrors(payload) {
    return payload.errors.map((error) => error.message).join(" ");
  }

  // --- signing in ----------------------------------------------------------------------------------

  async function signIn(token) {
    sessionStorage.setItem(TOKEN_KEY, token.replace(/^\s*Bearer\s+/i, "").trim());
    try {
      const { viewer } = await graphql(VIEWER);
      const partner = viewer.partner ? ` · ${viewer.partner.name}` : " · staff";
      $("who-name").textContent = `${viewer.name} (${viewer.email})${partner}`;
      $("who").hidden = false;
      await followRoute();
    } catch (error) {
      signOut();
      $("sign-in-error").textContent = error.message;
    }
  }

  // Only one job's progress is shown: a file asked for earlier (or on another recognition) must not
  // write over it.
  function stopWatchingJob() {
    if (state.stopWatching) state.stopWatching();
    state.stopWatching = null;
  }

  function signOut() {
    stopWatchingJob();
    sessionStorage.removeItem(TOKEN_KEY);
    if (socket) socket.dispose();
    socket = null;
    $("who").hidden = true;
    $("sign-in-error").textContent = "";
    show("sign-in");
  }

  // --- the recognitions list ------------------------------------------------------------------------

  async function listRecognitions() {
    stopWatchingJob();
    $("recognitions-error").textContent = "";
    const { recognitions } = await graphql(RECOGNITIONS);
    const rows = recognitions.edges.map(({ node }) => {
      const open = node.availableActions.includes("CERTIFICATES")
        ? element("button", { type: "button", onclick: () => (location.hash = routeOf(node.id, "/certificates")) }, "Certificates")
        : "";
      return element(
        "tr",
        { "data-id": node.id },
        element("td", {}, element("a", { href: routeOf(node.id, "") }, node.name)),
        element("td", {}, node.kind === "CEREMONY" ? "Ceremony" : "Certificate request"),
        element("td", {}, element("span", { class: `badge ${node.status}` }, node.statusLabel)),
        element("td", {}, `${node.dateRange.start} – ${node.dateRange.end}`),
        element("td", {}, open)
      );
    });
    $("recognition-rows").replaceChildren(...rows);
    show("recognitions");
  }

  // --- routes: the links in our mail ---------------------------------------------------------------

  function routeOf(id, tail) {
    return `#/recognitions/${encodeURIComponent(id)}${tail}`;
  }

  // The page the address names: a recognition's details or certificates step, else the list.
  async function followRoute() {
    if (!sessionStorage.getItem(TOKEN_KEY)) return show("sign-in");
    const match = ROUTE.exec(location.hash);
    if (!match) return listRecognitions();
    const recognition = await recognitionNamed(decodeURIComponent(match[1]));
    if (!recognition) {
      await listRecognitions();
      $("recognitions-error").textContent = "That recognition was not found, or is not yours to see.";
      return;
    }
    if (match[2]) await openCertificates(recognition);
    else showDetails(recognition);
  }

  // A global id; or a database number, from links mailed before they carried global ids.
  async function recognitionNamed(id) {
    if (!/^\d+$/.test(id)) return (await graphql(RECOGNITION, { id })).recognition;
    for (const type of ["Ceremony", "CertificateRequest"]) {
      const { recognition } = await graphql(RECOGNITION, { id: btoa(`${type}:${id}`) });
      if (recognition) {
        history.replaceState(null, "", location.hash.replace(`/${id}`, `/${encodeURIComponent(recognition.id)}`));
        return recognition;
      }
    }
    return null;
  }

  function showDetails(recognition) {
    stopWatchingJob();
    $("details").dataset.id = recognition.id;
    $("details-title").textContent = recognition.name;
    $("details-status").className = `badge ${recognition.status}`;
    $("details-status").textContent = recognition.statusLabel;
    const facts = [["Cohorts ending", `${recognition.dateRange.start} – ${recognition.dateRange.end}`]];
    if (recognition.kind === "CEREMONY") {
      const address = recognition.postalAddress;
      const where = [address.line1, address.line2, address.city, address.region, address.postalCode, address.country];
      facts.push(
        ["Starts", recognition.startsAt ? `${recognition.startsAt.replace("T", " ")} (${recognition.timeZone})` : "–"],
        ["Format", recognition.format === "ONLINE" ? "Online" : recognition.format === "IN_PERSON" ? "In person" : "–"],
        ["Pins to", where.filter(Boolean).join(", ") || "–"]
      );
      if (recognition.meetingUrl) facts.push(["Meeting link", recognition.meetingUrl]);
    }
    $("details-facts").replaceChildren(
      ...facts.flatMap(([term, value]) => [element("dt", {}, term), element("dd", {}, value)])
    );
    $("details-events").replaceChildren(
      ...recognition.events.map((event) =>
        element("li", {}, `${event.at.slice(0, 16).replace("T", " ")} UTC · ${event.kind.toLowerCase()} · ${event.actorName}`)
      )
    );
    $("details-cancel").hidden = !recognition.availableActions.includes("CANCEL");
    $("details-error").textContent = "";
    const certificates = $("details-certificates");
    certificates.hidden = !recognition.availableActions.includes("CERTIFICATES");
    certificates.href = routeOf(recognition.id, "/certificates");
    show("details");
  }

  // The partner may call a ceremony off until its pins are mailed; staff always.
  async function cancelCeremony() {
    const id = $("details").dataset.id;
    if (!window.confirm("Cancel this ceremony? Everyone invited is told, and this cannot be undone.")) return;
    try {
      const payload = (await graphql(CANCEL, { input: { id } })).ceremonyCancel;
      if (payload.errors.length) throw new Error(payloadErrors(payload));
      await followRoute();
    } catch (error) {
      $("details-error").textContent = error.message;
    }
  }

  // --- the certificates step -----------------------------------------------------------------------

  async function openCertificates(recognition) {
    stopWatchingJob();
    state.recognition = recognition;
    state.selected.clear();
    $("certificates-title").textContent = `Certificates · ${recognition.name}`;
    $("links").replaceChildren();
    $("job").hidden = true;
    $("certificates-error").textContent = "";
    show("certificates");
    await listCandidates("COMPLETER");
  }

  async function listCandidates(kind, after) {
    state.kind = kind;
    const variables = { id: state.recognition.id, kind, after: after || null };
    const connection = (await graphql(CANDIDATES, variables)).recognition.certificateCandidates;
    const candidates = connection.edges.map((edge) => edge.node);
    state.listed = after ? state.listed.concat(candidates) : candidates;
    state.after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;

    $("tab-completer").textContent = `Completers (${connection.completerCount})`;
    $("tab-approaching").textContent = `Approaching (${connection.approachingCount})`;
    for (const tab of document.querySelectorAll("[role=tab]")) {
      tab.setAttribute("aria-selected", String(tab.dataset.kind === kind));
    }
    const rows = candidates.map(candidateRow);
    if (after) $("candidate-rows").append(...rows);
    else $("candidate-rows").replaceChildren(...rows);
    $("more").hidden = !state.after;
    updateSelection();
  }

  function candidateRow(candidate) {
    const checkbox = element("input", {
      type: "checkbox",
      "aria-label": `Select ${candidate.name}`,
      onchange: (event) => {
        if (event.target.checked) state.selected.add(candidate.enrollmentId);
        else state.selected.delete(candidate.enrollmentId);
        updateSelection();
      },
    });
    checkbox.checked = state.selected.has(candidate.enrollmentId);
    const when = candidate.completedAt
      ? `Completed ${candidate.completedAt.slice(0, 10)}`
      : `${Math.round(candidate.progress.percent)} % done`;
    return element(
      "tr",
      {},
      element("td", {}, checkbox),
      element("td", {}, candidate.name),
      element("td", {}, candidate.email),
      element("td", {}, candidate.cohort.name),
      element("td", {}, candidate.certificateType.name),
      element("td", {}, when)
    );
  }

  function selectListed(checked) {
    for (const candidate of state.listed) {
      if (checked) state.selected.add(candidate.enrollmentId);
      else state.selected.delete(candidate.enrollmentId);
    }
    for (const box of $("candidate-rows").querySelectorAll("input[type=checkbox]")) box.checked = checked;
    updateSelection();
  }

  function updateSelection() {
    const count = state.selected.size;
    $("selected-count").textContent = `${count} selected`;
    $("download-certificates").disabled = count === 0;
    $("select-listed").checked =
      state.listed.length > 0 && state.listed.every((candidate) => state.selected.has(candidate.enrollmentId));
  }

  function showLink(id, text, url) {
    const link = element("a", { id, href: url, download: "" }, text);
    const old = $(id);
    if (old) old.parentElement.remove();
    $("links").append(element("li", {}, link));
  }

  async function act(action) {
    $("certificates-error").textContent = "";
    try {
      await action();
    } catch (error) {
      $("certificates-error").textContent = error.message;
    }
  }

  // "Download certificates": the file is made in the background; the subscription reports progress.
  async function downloadCertificates() {
    const input = { recognitionId: state.recognition.id, enrollmentIds: [...state.selected] };
    const payload = (await graphql(REQUEST_FILE, { input })).certificateFileRequest;
    if (payload.errors.length) throw new Error(payloadErrors(payload));
    stopWatchingJob();
    showJob(payload.job);
    const stop = subscriptions().subscribe(
      { query: JOB_UPDATES, variables: { id: payload.job.id } },
      {
        next: (result) => {
          if (result.errors) $("certificates-error").textContent = result.errors[0].message;
          else showJob(result.data.certificateFileJobUpdated);
        },
        error: (error) => {
          $("certificates-error").textContent = `Lost the file's progress: ${error.reason || error.message || error}`;
        },
        complete: () => {
          if (state.stopWatching === stop) state.stopWatching = null;
        },
      }
    );
    state.stopWatching = stop;
  }

  function showJob(job) {
    const percent = job.total ? Math.floor((100 * job.done) / job.total) : 0;
    $("job").hidden = false;
    $("job").dataset.jobId = job.id;
    $("job").dataset.status = job.status;
    $("job-progress").max = job.total || 1;
    $("job-progress").value = job.done;
    $("job-text").textContent = `${job.status.toLowerCase()} · ${job.done} of ${job.total} (${percent} %)`;
    if (job.status === "READY") {
      showLink("file-link", `Download the certificates (${job.file.pageCount} pages)`, job.file.downloadUrl);
    } else if (job.status === "FAILED") {
      $("certificates-error").textContent = job.errorMessage;
    }
  }

  async function downloadLastFile() {
    const last = (await graphql(LAST_FILE, { id: state.recognition.id })).recognition.lastCertificateFile;
    if (!last) throw new Error("No certificates file has been made for this recognition yet.");
    const made = last.finishedAt.slice(0, 16).replace("T", " ");
    showLink("last-file-link", `Last certificates file (${last.file.pageCount} pages, ${made} UTC)`, last.file.downloadUrl);
  }

  // The selection, or when nobody is selected everyone on the open tab.
  async function exportCsv() {
    const input = { recognitionId: state.recognition.id };
    if (state.selected.size) input.enrollmentIds = [...state.selected];
    else input.filter = { kind: state.kind };
    const payload = (await graphql(EXPORT_CSV, { input })).certificateCandidatesExport;
    if (payload.errors.length) throw new Error(payloadErrors(payload));
    showLink("csv-link", "Course-takers as CSV", payload.downloadUrl);
  }

  // --- wiring --------------------------------------------------------------------------------------

  $("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn($("token").value);
  });
  $("sign-out").addEventListener("click", signOut);
  $("back").addEventListener("click", () => {
    location.hash = "";
  });
  $("details-back").addEventListener("click", () => {
    location.hash = "";
  });
  $("details-cancel").addEventListener("click", cancelCeremony);
  window.addEventListener("hashchange", () => act(followRoute));
  $("tab-completer").addEventListener("click", () => act(() => listCandidates("COMPLETER")));
  $("tab-approaching").addEventListener("click", () => act(() => listCandidates("APPROACHING")));
  $("more").addEventListener("click", () => act(() => listCandidates(state.kind, state.after)));
  $("select-listed").addEventListener("change", (event) => selectListed(event.target.checked));
  $("download-certificates").addEventListener("click", () => act(downloadCertificates));
  $("download-last").addEventListener("click", () => act(downloadLastFile));
  $("export-csv").addEventListener("click", () => act(exportCsv));

  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved);
  else show("sign-in");
})();

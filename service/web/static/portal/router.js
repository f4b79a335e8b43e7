// The portal's addresses. Our mail links to the first two (see PORTAL_APP_RECOGNITION_ROUTE):
//   /recognitions/{id}               a recognition's details, over the dashboard
//   /recognitions/{id}/certificates  its certificates step; `?file={job id}` (the "file ready" mail's
//                                    link) offers that very file for download
//   /recognitions/{id}/edit          a draft's wizard, at the step it was left on
//   /recognitions/new/ceremony       a new ceremony's wizard ("Schedule a Ceremony"), and
//   /recognitions/new/certificate-request  a new request's ("Request Certificates Only"), until
//                                    saved: each its own history entry, so Back returns to the dashboard
//   /templates                       "Certificate design" (staff, and partner admins for their own)
//   /                                the dashboard
// `{id}` is the API's global id, percent-encoded where needed (or a database number, from links
// mailed before ids were global). The hash links of earlier versions (`/#/recognitions/…`) still open.

const ROUTE = /^\/recognitions\/([^/]+)(?:\/(certificates|edit))?\/?$/;
const NEW_ROUTE = /^\/recognitions\/new\/(ceremony|certificate-request)\/?$/;
export const NEW_PATHS = { CEREMONY: "/recognitions/new/ceremony", CERTIFICATE_REQUEST: "/recognitions/new/certificate-request" };
export const TEMPLATES_PATH = "/templates";
let render = null;

// As our mail writes them: percent-encoded, but base64's "=" kept.
export function pathOf(id, tail) {
  return `/recognitions/${encodeURIComponent(id).replaceAll("%3D", "=")}${tail ? `/${tail}` : ""}`;
}

// What the address names: { id, view, file } with view "details", "certificates" or "edit", and
// file the certificates file's job id from the query string (or null); { view: "new", kind } for a
// new wizard; or null.
export function current() {
  const fresh = NEW_ROUTE.exec(location.pathname);
  if (fresh) return { id: null, view: "new", kind: fresh[1] === "ceremony" ? "CEREMONY" : "CERTIFICATE_REQUEST", file: null };
  const match = ROUTE.exec(location.pathname);
  if (!match) return null;
  const file = new URLSearchParams(location.search).get("file") || null;
  return { id: decodeURIComponent(match[1]), view: match[2] || "details", file };
}

export function adoptHashLink() {
  const match = /^#(\/recognitions\/.+)$/.exec(location.hash);
  if (match) history.replaceState(null, "", match[1]);
}

export function navigate(path) {
  record(path);
  return render();
}

// A new history entry for `path` whose view is already on screen (nothing to fetch or draw again).
export function record(path) {
  if (path !== location.pathname + location.search) history.pushState(null, "", path);
}

// Show `path` without a new history entry (e.g. a draft that has just got its id).
export function replace(path) {
  history.replaceState(null, "", path);
}

// Another screen than the address asked for, in its place (no history entry, so Back does not come
// back to be sent on again); from within a screen being drawn, which must not wait for it.
export function redirect(path) {
  replace(path);
  render();
}

export function start(onRoute) {
  render = onRoute;
  window.addEventListener("popstate", () => render());
  // Same-origin links to the portal's own pages change the view without a page load.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-route]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(link.getAttribute("href"));
  });
}

// An example partner portal on the public GraphQL API only. Signs in with a token kept in this tab
// (pasted, or from a one-click address's fragment), then shows the screen the address names.
import {
  forgetToken,
  graphql,
  keepToken,
  SESSION_ENDED,
  SessionEndedError,
  takeTokenFromAddress,
  token,
  UnreachableError,
  whenSessionEnds,
} from "./api.js";
import { stopWatchingJob, showCertificates, wireCertificates } from "./certificates.js";
import { closeDetails, notFound, recognitionNamed, showDashboard, showDetails, viewer } from "./dashboard.js";
import { $, show } from "./dom.js";
import { adoptHashLink, current, navigate, record, start, TEMPLATES_PATH } from "./router.js";
import { showTemplates, wireTemplates } from "./templates.js";
import { keepTyped, newWizard, openWizard, wireWizard } from "./wizard.js";

const VIEWER = `query Viewer { viewer { email name role partner { id name timeZone } } }`;

let signedIn = false;
let loading = 0;

// While a screen is being read and drawn, the page says it is busy (to screen readers, and tests).
async function busy(work) {
  loading += 1;
  document.querySelector("main").setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    loading -= 1;
    if (!loading) document.querySelector("main").removeAttribute("aria-busy");
  }
}

function signIn() {
  return busy(signInNow);
}

async function signInNow() {
  try {
    const { viewer: me } = await graphql(VIEWER);
    signedIn = true;
    $("session-ended").hidden = true;
    $("sign-in-retry").hidden = true;
    viewer.staff = me.role === "STAFF";
    viewer.timeZone = me.partner ? me.partner.timeZone : "UTC";
    viewer.partnerId = me.partner ? me.partner.id : null;
    $("portal-nav").hidden = false;
    $("who-name").textContent = `${me.name} (${me.email}) · ${me.partner ? me.partner.name : "staff"}`;
    $("who").hidden = false;
    await render();
  } catch (error) {
    if (error instanceof UnreachableError) {
      // Not the token's fault: it is kept, to try again.
      $("sign-in-error").textContent = error.message;
      $("sign-in-retry").hidden = false;
      return show("sign-in");
    }
    signOut();
    $("sign-in-error").textContent = error.message;
  }
}

// Signed out, the address kept: signing in again lands on it.
function signOut() {
  signedIn = false;
  forgetToken();
  stopWatchingJob();
  closeDetails();
  $("who").hidden = true;
  $("portal-nav").hidden = true;
  $("sign-in-error").textContent = "";
  $("sign-in-retry").hidden = true;
  show("sign-in");
}

// The screen the address names; without a token, sign-in first (the address is kept, so signing
// in lands on it). One at a time, and only the last asked for: after quick Back and Forward presses
// the screen shown is the address's, not whichever screen's data came last.
let rendering = Promise.resolve();
let asked = 0;

function render() {
  const mine = ++asked;
  rendering = rendering.then(() => (mine === asked ? busy(renderNow) : undefined));
  return rendering;
}

async function renderNow() {
  if (!token()) return show("sign-in");
  stopWatchingJob();
  const route = current();
  try {
    if (location.pathname === TEMPLATES_PATH) {
      closeDetails();
      return await showTemplates();
    }
    if (route && route.view === "new") {
      closeDetails();
      return await newWizard(route.kind);
    }
    if (!route || route.view === "details") {
      await showDashboard();
      if (route) await showDetails(route.id);
      else closeDetails();
      return;
    }
    closeDetails();
    const recognition = await recognitionNamed(route.id);
    if (!recognition) {
      await showDashboard();
      return notFound();
    }
    if (route.view === "certificates") await showCertificates(recognition, route.file);
    else await openWizard(recognition);
  } catch (error) {
    if (error instanceof SessionEndedError) return; // the sign-in is on screen
    $("recognitions-error").textContent = error.message;
    show("recognitions");
  }
}

// A request refused as not signed in (the token has expired) while signed in: the sign-in, saying
// why, where the person was; the wizard's typing is kept, so signing in again finds it as it was.
whenSessionEnds(() => {
  if (!signedIn) return false;
  keepTyped();
  signOut();
  $("token").value = "";
  $("session-ended").textContent = SESSION_ENDED;
  $("session-ended").hidden = false;
  return true;
});

$("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  keepToken($("token").value);
  signIn();
});
$("sign-out").addEventListener("click", signOut);
$("sign-in-retry").addEventListener("click", () => {
  $("sign-in-retry").hidden = true;
  $("sign-in-error").textContent = "";
  signIn();
});
// The dashboard is already under the popup (and drawn again after each action taken in it): closing
// the popup only changes the address, so a row's menu opened meanwhile is not swept away.
$("details").addEventListener("close", () => {
  if (token() && current() && current().view === "details") record("/");
});
$("details-close").addEventListener("click", () => $("details").close());
$("more-recognitions").addEventListener("click", () =>
  showDashboard(true).catch((error) => ($("recognitions-error").textContent = error.message))
);
for (const back of document.querySelectorAll("[data-back]")) back.addEventListener("click", () => navigate("/"));
wireCertificates();
wireWizard();
wireTemplates();

adoptHashLink();
takeTokenFromAddress();
start(render);
if (token()) signIn();
else show("sign-in");

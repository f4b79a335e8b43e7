// An example partner portal on the public GraphQL API only. Signs in with a token kept in this tab
// (pasted, or from a one-click address's fragment), then shows the screen the address names.
import { forgetToken, graphql, keepToken, takeTokenFromAddress, token } from "./api.js";
import { stopWatchingJob, showCertificates, wireCertificates } from "./certificates.js";
import { closeDetails, notFound, recognitionNamed, showDashboard, showDetails, viewer } from "./dashboard.js";
import { $, show } from "./dom.js";
import { adoptHashLink, current, navigate, record, start, TEMPLATES_PATH } from "./router.js";
import { showTemplates, wireTemplates } from "./templates.js";
import { openWizard, wireWizard } from "./wizard.js";

const VIEWER = `query Viewer { viewer { email name role partner { id name timeZone } } }`;

async function signIn() {
  try {
    const { viewer: me } = await graphql(VIEWER);
    viewer.staff = me.role === "STAFF";
    viewer.timeZone = me.partner ? me.partner.timeZone : "UTC";
    viewer.partnerId = me.partner ? me.partner.id : null;
    $("portal-nav").hidden = false;
    $("who-name").textContent = `${me.name} (${me.email}) · ${me.partner ? me.partner.name : "staff"}`;
    $("who").hidden = false;
    await render();
  } catch (error) {
    signOut();
    $("sign-in-error").textContent = error.message;
  }
}

function signOut() {
  stopWatchingJob();
  closeDetails();
  forgetToken();
  $("who").hidden = true;
  $("portal-nav").hidden = true;
  $("sign-in-error").textContent = "";
  show("sign-in");
}

// The screen the address names; without a token, sign-in first (the address is kept, so signing
// in lands on it).
async function render() {
  if (!token()) return show("sign-in");
  stopWatchingJob();
  const route = current();
  try {
    if (location.pathname === TEMPLATES_PATH) {
      closeDetails();
      return await showTemplates();
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
    $("recognitions-error").textContent = error.message;
    show("recognitions");
  }
}

$("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  keepToken($("token").value);
  signIn();
});
$("sign-out").addEventListener("click", signOut);
// The dashboard is already under the popup (and drawn again after each action taken in it): closing
// the popup only changes the address, so a row's menu opened meanwhile is not swept away.
$("details").addEventListener("close", () => {
  if (current() && current().view === "details") record("/");
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

// The two wizards. Ceremony: step 1 picks cohorts by a date range on a calendar, step 2 the date and
// time, format, representative and where the pins go; either step can be saved as a draft, and a
// draft opens at the step it was left on. Certificate request: step 1, then draft or finalize.
import { graphql, mutate, PayloadError, SessionEndedError } from "./api.js";
import { RangeCalendar } from "./calendar.js";
import { $, element, show, showFieldErrors } from "./dom.js";
import { navigate, NEW_PATHS, pathOf, redirect, replace } from "./router.js";
import { viewer } from "./dashboard.js";

const PROGRAMS = `
  query Programs($range: DateRangeInput!) {
    programs(cohortsEndingBetween: $range) { id name certificateType { name } cohorts { id name endsOn } }
  }`;
const EARLIEST = `query Earliest($zone: String!) { earliestCeremonyDate(timeZone: $zone) }`;
const ERRORS = "errors { field code message }";
const CEREMONY = "ceremony { id }";
const REQUEST = "certificateRequest { id }";
const SAVE = {
  CEREMONY: {
    create: ["ceremonyCreate", `mutation($input: CeremonyCreateInput!) { ceremonyCreate(input: $input) { ${CEREMONY} ${ERRORS} } }`],
    update: ["ceremonyUpdate", `mutation($input: CeremonyUpdateInput!) { ceremonyUpdate(input: $input) { ${CEREMONY} ${ERRORS} } }`],
  },
  CERTIFICATE_REQUEST: {
    create: ["certificateRequestCreate", `mutation($input: CertificateRequestCreateInput!) { certificateRequestCreate(input: $input) { ${REQUEST} ${ERRORS} } }`],
    update: ["certificateRequestUpdate", `mutation($input: CertificateRequestUpdateInput!) { certificateRequestUpdate(input: $input) { ${REQUEST} ${ERRORS} } }`],
  },
};
const SUBMIT = `mutation($input: CeremonySubmitInput!) { ceremonySubmit(input: $input) { ceremony { id name statusLabel startsAt timeZone } ${ERRORS} } }`;
const FINALIZE = `mutation($input: CertificateRequestFinalizeInput!) { certificateRequestFinalize(input: $input) { certificateRequest { id name statusLabel } ${ERRORS} } }`;
const STEP_KEY = "recognition.wizard-step.";
// What was typed in the wizard and not saved yet, kept in this tab: a new wizard's step 1 as it is
// typed (so a reload, Back then Forward, or a sign-in after the session ended find it as it was
// left), and any wizard's form when the session ends. Taken back by the wizard at the same address.
const TYPED_KEY = "recognition.wizard-typed";

// The wizard's draft: kind, id (once saved), range, chosen cohort ids.
// `scheduled`: a scheduled ceremony being changed (no draft to save; "Save changes" instead of Submit).
// `savedStart`: its start as it was opened (startOnScreen), to tell whether a change moves it.
const draft = { kind: "CEREMONY", id: null, scheduled: false, range: { start: null, end: null }, cohorts: new Set(), savedStep1: null, savedStart: null };
let calendar = null;

// "Schedule a Ceremony" or "Request Certificates Only": a new wizard at an address of its own, a
// history entry after the dashboard's.
function startWizard(kind) {
  sessionStorage.removeItem(TYPED_KEY);
  return navigate(NEW_PATHS[kind]);
}

// The wizard of a recognition not saved yet (its address: NEW_PATHS), with what was typed in it.
export async function newWizard(kind) {
  Object.assign(draft, { kind, id: null, scheduled: false, range: { start: null, end: null }, cohorts: new Set(), savedStep1: null, savedStart: null });
  $("wizard-name").value = "";
  resetStep2();
  const typed = takeTyped();
  if (typed && typed.kind === kind) restoreTyped(typed);
  await showStep(1);
}

// A draft from the dashboard or its address (`/recognitions/{id}/edit`), at the step it was left on.
export async function openWizard(recognition) {
  if (!recognition.availableActions.includes("EDIT")) return redirect(pathOf(recognition.id));
  // A scheduled ceremony is changed in the same two steps; saving it sends an updated invitation.
  Object.assign(draft, { kind: recognition.kind, id: recognition.id, scheduled: recognition.status !== "DRAFT", range: { ...recognition.dateRange }, cohorts: new Set(recognition.cohorts.map((cohort) => cohort.id)) });
  $("wizard-name").value = recognition.name;
  draft.savedStep1 = step1State(recognition.name);
  resetStep2();
  if (recognition.kind === "CEREMONY") fillStep2(recognition);
  draft.savedStart = startOnScreen();
  // Left at step 2 in this tab, or (in another) with step 2 begun.
  const begun = recognition.startsAt || recognition.format || (recognition.mailingContact && recognition.mailingContact.name);
  const left = sessionStorage.getItem(STEP_KEY + recognition.id) === "2" || draft.scheduled || Boolean(begun);
  let step = recognition.kind === "CEREMONY" && left ? 2 : 1;
  // What was typed before the session ended, over what was saved.
  const typed = takeTyped();
  if (typed && typed.kind === recognition.kind) step = restoreTyped(typed);
  await showStep(step);
}

// --- what was typed ---------------------------------------------------------------------------------

function formValues() {
  const fields = {};
  for (const id of [...STEP2_FIELDS, "zone"]) fields[id] = $(`wizard-${id}`).value;
  const format = document.querySelector("input[name=format]:checked");
  return { fields, format: format ? format.value : null, representative: $("wizard-representative").checked, override: $("wizard-override").checked };
}

// Keeps the wizard on screen as it is (nothing once it has been submitted or finalized).
export function keepTyped() {
  if ($("wizard").hidden || !$("wizard-confirmation").hidden) return;
  const typed = {
    path: location.pathname,
    kind: draft.kind,
    step: $("wizard-step2").hidden ? 1 : 2,
    name: $("wizard-name").value,
    range: draft.range,
    cohorts: [...draft.cohorts],
    ...(draft.kind === "CEREMONY" ? formValues() : {}),
  };
  sessionStorage.setItem(TYPED_KEY, JSON.stringify(typed));
}

function takeTyped() {
  const typed = JSON.parse(sessionStorage.getItem(TYPED_KEY) || "null");
  if (!typed || typed.path !== location.pathname) return null;
  // A new wizard keeps what is typed as it goes; a draft's is taken once.
  if (draft.id) sessionStorage.removeItem(TYPED_KEY);
  return typed;
}

// The typed values into the wizard; the step they were typed on.
function restoreTyped(typed) {
  $("wizard-name").value = typed.name;
  draft.range = { ...typed.range };
  draft.cohorts = new Set(typed.cohorts);
  if (typed.fields) {
    for (const [id, value] of Object.entries(typed.fields)) $(`wizard-${id}`).value = value;
    for (const radio of document.querySelectorAll("input[name=format]")) radio.checked = radio.value === typed.format;
    $("wizard-meeting").hidden = typed.format !== "ONLINE";
    $("wizard-representative").checked = typed.representative;
    $("wizard-override").checked = typed.override;
  }
  return typed.step;
}

function keepNewTyped() {
  if (!draft.id) keepTyped();
}

async function showStep(step) {
  const ceremony = draft.kind === "CEREMONY";
  $("wizard-title").textContent = `${ceremony ? "Schedule a Ceremony" : "Request Certificates Only"} · step ${step} of ${ceremony ? 2 : 1}`;
  $("wizard-step1").hidden = step !== 1;
  $("wizard-step2").hidden = step !== 2;
  $("wizard-next").hidden = !ceremony;
  $("wizard-finalize").hidden = ceremony;
  $("wizard-draft1").hidden = draft.scheduled;
  $("wizard-draft2").hidden = draft.scheduled;
  $("wizard-submit").textContent = draft.scheduled ? "Save changes" : "Submit";
  $("wizard-error").textContent = "";
  $("wizard-confirmation").hidden = true;
  for (const form of [$("wizard-step1"), $("wizard-step2")]) showFieldErrors(form, []);
  if (draft.id && !draft.scheduled) sessionStorage.setItem(STEP_KEY + draft.id, String(step));
  show("wizard");
  if (step === 1) {
    await calendar.set(draft.range);
    await listPrograms();
  } else {
    await greyOutEarlyDays();
  }
}

// --- step 1 ------------------------------------------------------------------------------------

async function cohortEnds(first, last) {
  const { programs } = await graphql(PROGRAMS, { range: { start: first, end: last } });
  return programs.flatMap((program) => program.cohorts.map((cohort) => cohort.endsOn));
}

async function listPrograms() {
  const { start, end } = draft.range;
  if (!start || !end) {
    $("wizard-programs").replaceChildren(element("p", { class: "muted" }, start ? "Now click the end date." : "Click a start date, then an end date."));
    return;
  }
  const { programs } = await graphql(PROGRAMS, { range: { start, end } });
  if (!programs.length) {
    $("wizard-programs").replaceChildren(element("p", {}, `No cohort ends between ${start} and ${end}.`));
    return;
  }
  $("wizard-programs").replaceChildren(
    element("p", {}, `Programs with cohorts ending ${start} – ${end}:`),
    element("ul", { class: "programs" }, programs.map(programChoice))
  );
}

function programChoice(program) {
  const ids = program.cohorts.map((cohort) => cohort.id);
  const box = element("input", {
    type: "checkbox",
    id: `program-${program.id}`,
    onchange: (event) => {
      for (const id of ids) (event.target.checked ? draft.cohorts.add(id) : draft.cohorts.delete(id));
    },
  });
  box.checked = ids.some((id) => draft.cohorts.has(id));
  const cohorts = program.cohorts.map((cohort) => `${cohort.name} (ends ${cohort.endsOn})`).join(", ");
  return element(
    "li",
    {},
    box,
    element("label", { for: box.id }, ` ${program.name}`),
    element("span", { class: "muted" }, ` · ${program.certificateType.name} · ${cohorts}`)
  );
}

// Step 1 as it stands: a scheduled ceremony's step 1 is saved again only when it changed, since each
// save of a scheduled ceremony is a change in its history.
function step1State(name) {
  return JSON.stringify([name, draft.range.start, draft.range.end, [...draft.cohorts].sort()]);
}

// Saves step 1 (creating the draft the first time); field errors go next to their fields.
async function saveStep1() {
  const input = { dateRange: draft.range.start && draft.range.end ? draft.range : null, cohortIds: [...draft.cohorts] };
  const name = $("wizard-name").value.trim();
  if (name) input.name = name;
  const state = step1State(name);
  if (draft.scheduled && state === draft.savedStep1) return;
  const [field, query] = draft.id ? SAVE[draft.kind].update : SAVE[draft.kind].create;
  if (draft.id) input.id = draft.id;
  if (!input.dateRange) throw new PayloadError([{ field: ["dateRange"], message: "Pick a start date and an end date on the calendar." }]);
  const payload = await mutate(query, { input }, field);
  const saved = payload.ceremony || payload.certificateRequest;
  if (!draft.id) {
    // The new wizard's history entry becomes the draft's: Back still returns to the dashboard.
    replace(pathOf(saved.id, "edit"));
    sessionStorage.removeItem(TYPED_KEY);
  }
  draft.id = saved.id;
  draft.savedStep1 = state;
}

// --- step 2 ------------------------------------------------------------------------------------

const STEP2_FIELDS = ["contact-name", "contact-email", "contact-phone", "line1", "line2", "city", "region", "postal-code", "country", "meeting-url", "override-reason", "date", "time"];

function resetStep2() {
  for (const id of STEP2_FIELDS) $(`wizard-${id}`).value = "";
  $("wizard-zone").value = viewer.timeZone || "UTC";
  $("wizard-representative").checked = false;
  $("wizard-override").checked = false;
  for (const radio of document.querySelectorAll("input[name=format]")) radio.checked = false;
  $("wizard-meeting").hidden = true;
  $("wizard-staff").hidden = !viewer.staff;
}

// The start as on screen (date, time and zone), to tell whether a scheduled ceremony's start moves.
function startOnScreen() {
  return JSON.stringify([$("wizard-date").value, $("wizard-time").value, $("wizard-zone").value]);
}

function fillStep2(ceremony) {
  if (ceremony.startsAt) {
    $("wizard-date").value = ceremony.startsAt.slice(0, 10);
    $("wizard-time").value = ceremony.startsAt.slice(11, 16);
  }
  if (ceremony.timeZone) $("wizard-zone").value = ceremony.timeZone;
  for (const radio of document.querySelectorAll("input[name=format]")) radio.checked = radio.value === ceremony.format;
  $("wizard-meeting").hidden = ceremony.format !== "ONLINE";
  $("wizard-representative").checked = ceremony.representativeRequested;
  $("wizard-meeting-url").value = ceremony.meetingUrl || "";
  const contact = ceremony.mailingContact;
  const address = ceremony.postalAddress;
  const values = { "contact-name": contact.name, "contact-email": contact.email, "contact-phone": contact.phone, line1: address.line1, line2: address.line2, city: address.city, region: address.region, "postal-code": address.postalCode, country: address.country };
  for (const [id, value] of Object.entries(values)) $(`wizard-${id}`).value = value || "";
}

// Days before the earliest allowed date (14 days from today in the ceremony's zone) are greyed out.
async function greyOutEarlyDays() {
  try {
    const { earliestCeremonyDate } = await graphql(EARLIEST, { zone: $("wizard-zone").value });
    $("wizard-date").min = earliestCeremonyDate;
    $("wizard-earliest").textContent = `The earliest date in ${$("wizard-zone").value}: ${earliestCeremonyDate}.`;
  } catch (error) {
    $("wizard-earliest").textContent = error.message;
  }
}

const text = (id) => $(`wizard-${id}`).value.trim() || null;

function step2Input() {
  const format = document.querySelector("input[name=format]:checked");
  const input = {
    id: draft.id,
    format: format ? format.value : null,
    representativeRequested: $("wizard-representative").checked,
    meetingUrl: format && format.value === "ONLINE" ? text("meeting-url") : null,
    mailingContact: { name: text("contact-name"), email: text("contact-email"), phone: text("contact-phone") },
    postalAddress: { line1: text("line1"), line2: text("line2"), city: text("city"), region: text("region"), postalCode: text("postal-code"), country: text("country") },
  };
  const date = $("wizard-date").value;
  const time = $("wizard-time").value;
  // The guide asks for the date and the time: a date alone is refused here, not sent as midnight.
  if (date && !time) throw new PayloadError([{ field: ["start", "time"], message: "Enter the ceremony's time as well as its date." }]);
  if (date) input.start = { dateTime: `${date}T${time}:00`, timeZone: $("wizard-zone").value };
  return input;
}

async function saveStep2() {
  await mutate(SAVE.CEREMONY.update[1], { input: step2Input() }, "ceremonyUpdate");
}

// Submit (or "Save changes" to a scheduled ceremony): step 2 is saved first, and a save refused for
// the form of some fields (an email, a phone, a country) saves nothing. What the submit would refuse
// too (a date sooner than 14 days ahead, a field left empty) is then said at the same time, in the
// API's words, so every problem shows at once; nothing wrong is saved, and nothing is submitted.
async function submit() {
  const input = step2Input();
  try {
    await mutate(SAVE.CEREMONY.update[1], { input }, "ceremonyUpdate");
  } catch (error) {
    if (error instanceof PayloadError) throw new PayloadError(error.errors.concat(await submitProblems(input, error.errors)));
    throw error;
  }
  if (draft.scheduled) {
    if (draft.range.start && draft.range.end) await saveStep1();
    return navigate(pathOf(draft.id));
  }
  const submitted = { id: draft.id };
  if (overriding()) Object.assign(submitted, { overrideMinimumNotice: true, overrideReason: text("override-reason") });
  const { ceremony } = await mutate(SUBMIT, { input: submitted }, "ceremonySubmit");
  sessionStorage.removeItem(STEP_KEY + draft.id);
  confirm(`“${ceremony.name}” is scheduled for ${ceremony.startsAt.slice(0, 16).replace("T", " ")} (${ceremony.timeZone}): ${ceremony.statusLabel}. A confirmation email is on its way to you.`, ceremony.id);
}

const overriding = () => viewer.staff && $("wizard-override").checked;

// The step-2 fields a scheduled ceremony needs (region and address line 2 are optional), at the
// API's paths, and its words for them.
const REQUIRED_TO_SUBMIT = [["start"], ["format"], ["mailingContact", "name"], ["mailingContact", "email"], ["mailingContact", "phone"], ["postalAddress", "line1"], ["postalAddress", "city"], ["postalAddress", "postalCode"], ["postalAddress", "country"]];
const REQUIRED_WORDS = "This field is required to schedule the ceremony.";
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

// As the API writes a day: 4 October 2026.
function writtenDay(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

// What ceremonySubmit would refuse in `input`, for the fields the save has not refused already.
async function submitProblems(input, refused) {
  const taken = new Set(refused.map((error) => (error.field || []).join(".")));
  const free = (path) => ![...taken].some((field) => field === path || field.startsWith(`${path}.`));
  const valueAt = (path) => path.reduce((value, key) => (value == null ? null : value[key]), input);
  const problems = [];
  for (const path of REQUIRED_TO_SUBMIT) {
    if (valueAt(path) == null && free(path.join("."))) problems.push({ field: path, code: "REQUIRED", message: REQUIRED_WORDS });
  }
  // The 14 days' notice: on submit, and for a scheduled ceremony when its start moves.
  const noticeAsked = !overriding() && (!draft.scheduled || startOnScreen() !== draft.savedStart);
  if (input.start && noticeAsked && free("start")) {
    const { dateTime, timeZone } = input.start;
    let earliest = null;
    try {
      earliest = (await graphql(EARLIEST, { zone: timeZone })).earliestCeremonyDate;
    } catch (error) {
      if (error instanceof SessionEndedError) throw error;
    }
    if (earliest && dateTime.slice(0, 10) < earliest) problems.push({ field: ["start", "dateTime"], code: "TOO_SOON", message: tooSoon(earliest, timeZone) });
  }
  return problems;
}

// The API's words for a date sooner than 14 days ahead: today there is 14 days before the earliest day.
function tooSoon(earliest, zone) {
  const today = new Date(`${earliest}T00:00:00Z`);
  today.setUTCDate(today.getUTCDate() - 14);
  return (
    `The ceremony date must be at least 14 days from today, on or after ${writtenDay(earliest)} ` +
    `(today is ${writtenDay(today.toISOString().slice(0, 10))} in ${zone}). For an urgent ceremony, ` +
    "contact Partnership Portal Support or your Regional Customer Success Director."
  );
}

async function finalize() {
  await saveStep1();
  const { certificateRequest } = await mutate(FINALIZE, { input: { id: draft.id } }, "certificateRequestFinalize");
  sessionStorage.removeItem(STEP_KEY + draft.id);
  confirm(`“${certificateRequest.name}” is ${certificateRequest.statusLabel.toLowerCase()}: its certificates can be generated now.`, certificateRequest.id);
}

function confirm(words, id) {
  $("wizard-step1").hidden = true;
  $("wizard-step2").hidden = true;
  $("wizard-confirmation-text").textContent = words;
  $("wizard-confirmation-certificates").href = pathOf(id, "certificates");
  $("wizard-confirmation").hidden = false;
  $("wizard-title").textContent = draft.kind === "CEREMONY" ? "Ceremony scheduled" : "Certificate request created";
  $("wizard-title").focus();
  replace(pathOf(id));
}

// Runs a wizard action; the API's field errors appear next to their fields, in its own words.
async function attempt(form, action) {
  $("wizard-error").textContent = "";
  try {
    showFieldErrors(form, []);
    await action();
  } catch (error) {
    const errors = error instanceof PayloadError ? error.errors : [{ message: error.message }];
    const others = showFieldErrors(form, errors);
    $("wizard-error").textContent = others.join(" ");
    const invalid = form.querySelector("[aria-invalid]");
    if (invalid) invalid.focus();
  }
}

export function wireWizard() {
  $("time-zones").append(...Intl.supportedValuesOf("timeZone").map((zone) => element("option", { value: zone })));
  calendar = new RangeCalendar($("wizard-calendar"), {
    marks: cohortEnds,
    onChange: (range) => {
      draft.range = range;
      keepNewTyped();
      listPrograms().catch((error) => ($("wizard-error").textContent = error.message));
    },
  });
  $("schedule-ceremony").addEventListener("click", () => startWizard("CEREMONY"));
  $("request-certificates").addEventListener("click", () => startWizard("CERTIFICATE_REQUEST"));
  const step1 = $("wizard-step1");
  // The name typed and the programs ticked (their change handlers run first: they are on the boxes).
  step1.addEventListener("input", keepNewTyped);
  step1.addEventListener("change", keepNewTyped);
  const step2 = $("wizard-step2");
  $("wizard-draft1").addEventListener("click", () => attempt(step1, async () => {
    await saveStep1();
    await navigate("/");
  }));
  $("wizard-next").addEventListener("click", () => attempt(step1, async () => {
    await saveStep1();
    await showStep(2);
  }));
  $("wizard-finalize").addEventListener("click", () => attempt(step1, finalize));
  $("wizard-back").addEventListener("click", () => attempt(step2, () => showStep(1)));
  $("wizard-draft2").addEventListener("click", () => attempt(step2, async () => {
    await saveStep2();
    await navigate("/");
  }));
  $("wizard-submit").addEventListener("click", () => attempt(step2, submit));
  $("wizard-zone").addEventListener("change", greyOutEarlyDays);
  for (const radio of document.querySelectorAll("input[name=format]")) {
    radio.addEventListener("change", () => ($("wizard-meeting").hidden = radio.value !== "ONLINE" || !radio.checked));
  }
}

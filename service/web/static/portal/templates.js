// "Certificate design": a partner's certificate templates. Staff pick the partner, create and edit a
// template (logos, colours, signatories, wording, a second language), preview and assign it; a
// partner admin sees their own and edits what the API lets them (wording and signatories), and the
// API's refusals of the rest appear next to their fields.
import { graphql, mutate, PayloadError, upload } from "./api.js";
import { viewer } from "./dashboard.js";
import { $, element, show, showFieldErrors } from "./dom.js";

const IMAGE = "id format width height";
const TEMPLATE = `
  id name partnerId certificateTypeId version assigned
  design {
    primaryColor accentColor partnerLogoId organisationLogoId
    partnerLogo { ${IMAGE} } organisationLogo { ${IMAGE} }
    wording { ${"presented completed completedProvisional dateCaption signatureCaption verify"} }
    secondLanguage { presented completed completedProvisional dateCaption signatureCaption verify }
    signatories { name title signatureImageId signature { ${IMAGE} } }
  }`;
const TEMPLATES = `query Templates($partnerId: ID) { certificateTemplates(partnerId: $partnerId) { ${TEMPLATE} } }`;
// Staff pick among every partner.
const PARTNERS = "query Partners { partners { id name } }";
// What a new template may print only (a template's type is chosen when it is made).
const TYPES = "query Types { certificateTypes { id name } }";
const PAYLOAD = `template { ${TEMPLATE} } errors { field code message }`;
const CREATE = `mutation Create($input: CertificateTemplateCreateInput!) { certificateTemplateCreate(input: $input) { ${PAYLOAD} } }`;
const EDIT = `mutation Edit($input: CertificateTemplateEditInput!) { certificateTemplateEdit(input: $input) { ${PAYLOAD} } }`;
const ASSIGN = `mutation Assign($input: CertificateTemplateAssignInput!) { certificateTemplateAssign(input: $input) { ${PAYLOAD} } }`;
const UPLOAD = `mutation Upload($input: CertificateImageUploadInput!) { certificateImageUpload(input: $input) { image { ${IMAGE} } errors { field code message } } }`;
const PREVIEW = `query Preview($id: ID!) { certificateTemplatePreview(templateId: $id) { downloadUrl errors { field code message } } }`;
export const WORDING_KEYS = ["presented", "completed", "completedProvisional", "dateCaption", "signatureCaption", "verify"];
const SIGNATORIES = 3;

let partnerId = null;
let templates = [];
let typeNames = null; // certificate type id → name, read once
let editing = null; // the template being edited; null while creating
// Each image field's chosen image id (the current one, or one just uploaded), by data-field.
const images = new Map();

export async function showTemplates() {
  $("templates-error").textContent = "";
  $("template-partner-field").hidden = !viewer.staff;
  $("template-new").hidden = !viewer.staff;
  if (viewer.staff) await listPartners();
  else partnerId = viewer.partnerId;
  if (!typeNames) typeNames = new Map((await graphql(TYPES)).certificateTypes.map((type) => [type.id, type.name]));
  await listTemplates();
  closeForm();
  if ($("templates").hidden) show("templates");
}

async function listPartners() {
  const data = await graphql(PARTNERS);
  const names = new Map(data.partners.map((partner) => [partner.id, partner.name]));
  const select = $("template-partner");
  const chosen = select.value || partnerId;
  select.replaceChildren(...[...names].map(([id, name]) => element("option", { value: id }, name)));
  if (chosen && names.has(chosen)) select.value = chosen;
  partnerId = select.value || null;
}

async function listTemplates() {
  templates = partnerId ? (await graphql(TEMPLATES, { partnerId })).certificateTemplates : [];
  $("template-none").hidden = templates.length > 0;
  $("template-rows").replaceChildren(...templates.map(row));
}

function row(template) {
  const actions = [
    element("button", { type: "button", onclick: () => openForm(template) }, "Edit", element("span", { class: "visually-hidden" }, ` ${template.name}`)),
    element("button", { type: "button", onclick: () => preview(template) }, "Preview", element("span", { class: "visually-hidden" }, ` ${template.name}`)),
  ];
  if (viewer.staff) {
    const words = template.assigned ? "Stop using" : "Use for new certificates";
    actions.push(element("button", { type: "button", onclick: () => assign(template, !template.assigned) }, words, element("span", { class: "visually-hidden" }, ` (${template.name})`)));
  }
  return element(
    "tr",
    { "data-id": template.id },
    element("td", {}, template.name),
    element("td", {}, template.certificateTypeId ? typeNames.get(template.certificateTypeId) || "One certificate type" : "Every type"),
    element("td", {}, String(template.version)),
    element("td", {}, template.assigned ? "In use" : "Not in use"),
    element("td", { class: "actions-cell" }, actions)
  );
}

async function preview(template) {
  $("templates-error").textContent = "";
  const answer = (await graphql(PREVIEW, { id: template.id })).certificateTemplatePreview;
  if (answer.errors.length) return ($("templates-error").textContent = answer.errors.map((e) => e.message).join(" "));
  $("template-preview").replaceChildren(
    element("a", { href: answer.downloadUrl, id: "template-preview-link" }, `Open the preview of ${template.name} (PDF)`),
    " ",
    element("span", { class: "muted" }, "The link works for a few minutes.")
  );
  $("template-preview-link").focus();
}

async function assign(template, assigned) {
  $("templates-error").textContent = "";
  try {
    await mutate(ASSIGN, { input: { id: template.id, assigned } }, "certificateTemplateAssign");
    await listTemplates();
    $("template-status").textContent = assigned ? `${template.name} prints the next certificates.` : `${template.name} is no longer used.`;
  } catch (error) {
    $("templates-error").textContent = error.message;
  }
}

function imageWords(image) {
  return image ? `Current: ${image.format} ${image.width}×${image.height} pixels` : "None";
}

function setImage(field, id, image) {
  images.set(field, id || null);
  const input = document.querySelector(`#template-form [data-field="${field}"]`);
  input.value = "";
  $(`${input.id}-current`).textContent = imageWords(image);
}

function openForm(template) {
  editing = template || null;
  const form = $("template-form");
  showFieldErrors(form, []);
  $("template-form-error").textContent = "";
  $("template-form-heading").textContent = template ? `Edit ${template.name} (version ${template.version})` : "New template";
  const design = template ? template.design : null;
  $("template-name").value = template ? template.name : "";
  $("template-name").disabled = !viewer.staff;
  const type = $("template-type");
  type.replaceChildren(
    element("option", { value: "" }, "Every certificate type"),
    ...[...typeNames].map(([id, name]) => element("option", { value: id }, name))
  );
  type.value = template ? template.certificateTypeId || "" : "";
  type.disabled = Boolean(template); // chosen when the template is made
  $("template-primary").value = design ? design.primaryColor : "";
  $("template-accent").value = design ? design.accentColor : "";
  setImage("design.partnerLogoId", design && design.partnerLogoId, design && design.partnerLogo);
  setImage("design.organisationLogoId", design && design.organisationLogoId, design && design.organisationLogo);
  for (let index = 0; index < SIGNATORIES; index++) {
    const signatory = design && design.signatories[index];
    $(`template-signatory-${index}-name`).value = signatory ? signatory.name : "";
    $(`template-signatory-${index}-title`).value = signatory ? signatory.title : "";
    setImage(`design.signatories.${index}.signatureImageId`, signatory && signatory.signatureImageId, signatory && signatory.signature);
  }
  for (const key of WORDING_KEYS) {
    $(`template-wording-${key}`).value = design ? design.wording[key] : "";
    $(`template-second-${key}`).value = design && design.secondLanguage ? design.secondLanguage[key] : "";
  }
  $("template-editor").hidden = false;
  $("template-form-heading").focus();
}

function closeForm() {
  $("template-editor").hidden = true;
  editing = null;
}

// A file chosen: uploaded at once, so its refusal shows next to it.
async function uploadImage(input) {
  const field = input.dataset.field;
  showFieldErrors($("template-form"), []);
  if (!input.files.length) return;
  try {
    const payload = await upload(UPLOAD, { input: { partnerId, file: null } }, "variables.input.file", input.files[0], "certificateImageUpload");
    images.set(field, payload.image.id);
    $(`${input.id}-current`).textContent = `Uploaded: ${payload.image.format} ${payload.image.width}×${payload.image.height} pixels`;
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    showFieldErrors($("template-form"), error.errors.map((e) => ({ ...e, field: field.split(".") })));
  }
}

function wording(prefix) {
  const words = {};
  for (const key of WORDING_KEYS) {
    const value = $(`${prefix}-${key}`).value.trim();
    if (value) words[key] = value;
  }
  return words;
}

// Blank signatory rows are left out; `rows` maps each one sent back to its row, for its errors.
function designInput(rows) {
  const signatories = [];
  for (let index = 0; index < SIGNATORIES; index++) {
    const name = $(`template-signatory-${index}-name`).value;
    const signatureImageId = images.get(`design.signatories.${index}.signatureImageId`);
    if (!name.trim() && !signatureImageId) continue;
    rows.push(index);
    signatories.push({ name, title: $(`template-signatory-${index}-title`).value, signatureImageId });
  }
  const second = wording("template-second");
  return {
    wording: wording("template-wording"),
    secondLanguage: Object.keys(second).length ? second : null,
    primaryColor: $("template-primary").value.trim() || null,
    accentColor: $("template-accent").value.trim() || null,
    partnerLogoId: images.get("design.partnerLogoId"),
    organisationLogoId: images.get("design.organisationLogoId"),
    signatories,
  };
}

async function save(event) {
  event.preventDefault();
  const form = $("template-form");
  const rows = [];
  const design = designInput(rows);
  $("template-form-error").textContent = "";
  try {
    const input = editing
      ? { id: editing.id, name: viewer.staff ? $("template-name").value : null, design }
      : { partnerId, certificateTypeId: $("template-type").value || null, name: $("template-name").value, design };
    const payload = editing ? await mutate(EDIT, { input }, "certificateTemplateEdit") : await mutate(CREATE, { input }, "certificateTemplateCreate");
    showFieldErrors(form, []);
    closeForm();
    await listTemplates();
    $("template-status").textContent = `Saved ${payload.template.name}, version ${payload.template.version}.`;
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    const unplaced = showFieldErrors(form, error.errors.map((e) => ({ ...e, field: rowField(e.field, rows) })));
    $("template-form-error").textContent = unplaced.length ? unplaced.join(" ") : "Please correct the fields marked.";
    // The first field refused takes the focus (its message is its description), for keyboard and reader users.
    const first = form.querySelector("[aria-invalid=true]");
    if (first) first.focus();
  }
}

function rowField(field, rows) {
  if (!field || field[1] !== "signatories" || field.length < 3) return field;
  return [field[0], field[1], String(rows[Number(field[2])]), ...field.slice(3)];
}

// One signatory's name, title and signature image; the fields' data-field paths are the API's, so its
// errors land next to them (a refusal of the whole row lands on its name).
function signatoryFieldset(index) {
  const id = (part) => `template-signatory-${index}-${part}`;
  const signature = `template-signature-${index}`;
  const text = (part, label, field) =>
    element("div", { class: "field" },
      element("label", { for: id(part) }, label),
      element("input", { id: id(part), "data-field": field, maxlength: "200", autocomplete: "off" }));
  return element("fieldset", { class: "signatory" },
    element("legend", {}, `Signatory ${index + 1}`),
    text("name", "Name", `design.signatories.${index}.name design.signatories.${index}`),
    text("title", "Title", `design.signatories.${index}.title`),
    element("div", { class: "field" },
      element("label", { for: signature }, "Signature image (PNG or JPEG)"),
      element("input", { type: "file", id: signature, accept: "image/png,image/jpeg", "data-field": `design.signatories.${index}.signatureImageId`, "aria-describedby": `${signature}-current` }),
      element("p", { id: `${signature}-current`, class: "muted" })));
}

export function wireTemplates() {
  $("template-signatories").append(...Array.from({ length: SIGNATORIES }, (_, index) => signatoryFieldset(index)));
  $("template-partner").addEventListener("change", () => {
    partnerId = $("template-partner").value;
    closeForm();
    listTemplates().catch((error) => ($("templates-error").textContent = error.message));
  });
  $("template-new").addEventListener("click", () => openForm(null));
  $("template-cancel").addEventListener("click", closeForm);
  $("template-form").addEventListener("submit", (event) =>
    save(event).catch((error) => ($("template-form-error").textContent = error.message))
  );
  for (const input of document.querySelectorAll("#template-form input[type=file]")) {
    input.addEventListener("change", () =>
      uploadImage(input).catch((error) => ($("template-form-error").textContent = error.message))
    );
    // "Remove": no image in this place once saved.
    input.after(
      " ",
      element("button", { type: "button", id: `${input.id}-remove`, onclick: () => setImage(input.dataset.field, null, null) }, "Remove",
        element("span", { class: "visually-hidden" }, ` (${input.labels[0].textContent})`))
    );
  }
}

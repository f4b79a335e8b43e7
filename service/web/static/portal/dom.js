// Small DOM helpers. Data from the API reaches the page only as text (textContent, attribute
// values), never as HTML.

export const $ = (id) => document.getElementById(id);

export function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === false || value == null) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat().map((child) => (child == null ? "" : child)));
  return node;
}

const SECTIONS = ["sign-in", "recognitions", "certificates", "wizard", "templates"];

// One screen at a time; the heading of the new one takes the focus, for keyboard and reader users.
export function show(sectionId) {
  for (const id of SECTIONS) $(id).hidden = id !== sectionId;
  const heading = $(sectionId).querySelector("h2");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

export function localDateTime(iso) {
  return iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "–";
}

// Field errors next to their fields: an input whose data-field names the error's path.
export function showFieldErrors(form, errors) {
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    describe(input, input.dataset.describedBy);
  }
  const unplaced = [];
  for (const error of errors) {
    const path = (error.field || []).join(".");
    const input = path && findField(form, path);
    if (!input) {
      unplaced.push(error.message);
      continue;
    }
    const id = `${input.id}-error`;
    input.setAttribute("aria-invalid", "true");
    // The error, after what described the field before (kept, and restored once the error goes).
    if (input.dataset.describedBy === undefined) input.dataset.describedBy = input.getAttribute("aria-describedby") || "";
    describe(input, `${input.dataset.describedBy} ${id}`.trim());
    input.closest(".field").append(element("p", { class: "field-error error", id }, error.message));
  }
  return unplaced;
}

function describe(input, ids) {
  if (ids) input.setAttribute("aria-describedby", ids);
  else input.removeAttribute("aria-describedby");
}

function findField(form, path) {
  for (let end = path.length; end > 0; end = path.lastIndexOf(".", end - 1)) {
    const input = form.querySelector(`[data-field~="${CSS.escape(path.slice(0, end))}"]`);
    if (input) return input;
    if (end <= 0) break;
  }
  return null;
}

// A month calendar for picking a date range: click (or Enter/Space) a start day, then an end day.
// Days on which a cohort ends are marked. Keyboard: arrows move a day or a week, Page Up/Down a month,
// Home/End the week's ends; one day of the grid is in the tab order at a time.
import { element } from "./dom.js";

const DAY = 86_400_000;
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

export const isoDay = (date) => date.toISOString().slice(0, 10);
export const dayOf = (iso) => new Date(`${iso}T00:00:00Z`);
const addDays = (iso, days) => isoDay(new Date(dayOf(iso).getTime() + days * DAY));
const monthStart = (iso) => `${iso.slice(0, 7)}-01`;

function addMonths(iso, months) {
  const date = dayOf(iso);
  const moved = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const last = new Date(Date.UTC(moved.getUTCFullYear(), moved.getUTCMonth() + 1, 0)).getUTCDate();
  moved.setUTCDate(Math.min(date.getUTCDate(), last));
  return isoDay(moved);
}

export class RangeCalendar {
  // `marks(first, last)` answers the ISO days between them on which a cohort ends; `onChange(range)`
  // hears every pick ({start, end} with end null until the second click).
  constructor(root, { marks, onChange }) {
    this.root = root;
    this.marks = marks;
    this.onChange = onChange;
    this.marked = new Set();
    this.range = { start: null, end: null };
    this.focused = isoDay(new Date());
    this.label = element("h3", { id: `${root.id}-month`, "aria-live": "polite", class: "month" });
    this.grid = element("table", { role: "grid", "aria-labelledby": this.label.id });
    const previous = element("button", { type: "button", "aria-label": "Previous month", onclick: () => this.move(addMonths(this.focused, -1)) }, "‹");
    const next = element("button", { type: "button", "aria-label": "Next month", onclick: () => this.move(addMonths(this.focused, 1)) }, "›");
    root.replaceChildren(element("div", { class: "calendar-head" }, previous, this.label, next), this.grid);
    this.grid.addEventListener("keydown", (event) => this.key(event));
  }

  set(range) {
    this.range = { start: range.start || null, end: range.end || null };
    if (range.start) this.focused = range.start;
    return this.draw();
  }

  async move(day, focus) {
    this.focused = day;
    await this.draw();
    const stop = this.grid.querySelector("[tabindex='0']");
    if (focus && stop) stop.focus();
  }

  key(event) {
    const steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    const weekday = (dayOf(this.focused).getUTCDay() + 6) % 7;
    let day = null;
    if (event.key in steps) day = addDays(this.focused, steps[event.key]);
    else if (event.key === "PageUp") day = addMonths(this.focused, -1);
    else if (event.key === "PageDown") day = addMonths(this.focused, 1);
    else if (event.key === "Home") day = addDays(this.focused, -weekday);
    else if (event.key === "End") day = addDays(this.focused, 6 - weekday);
    if (!day) return;
    event.preventDefault();
    if (day.slice(0, 7) === this.focused.slice(0, 7)) {
      this.focused = day;
      this.paint();
      this.grid.querySelector("[tabindex='0']").focus();
    } else this.move(day, true);
  }

  pick(day) {
    const { start, end } = this.range;
    if (!start || end) this.range = { start: day, end: null };
    else if (day < start) this.range = { start: day, end: start };
    else this.range = { start, end: day };
    this.focused = day;
    this.paint();
    this.onChange({ ...this.range });
  }

  async draw() {
    const first = monthStart(this.focused);
    const last = addDays(addMonths(first, 1), -1);
    this.label.textContent = dayOf(first).toLocaleDateString("en", { month: "long", year: "numeric", timeZone: "UTC" });
    const marked = new Set(await this.marks(first, last));
    if (monthStart(this.focused) !== first) return; // keys moved on while the marks were read
    this.marked = marked;
    const head = element("tr", {}, WEEKDAYS.map((name) => element("th", { scope: "col", abbr: name }, name)));
    const rows = [];
    let cells = [];
    const lead = (dayOf(first).getUTCDay() + 6) % 7;
    for (let blank = 0; blank < lead; blank += 1) cells.push(element("td", {}));
    for (let day = first; day <= last; day = addDays(day, 1)) {
      const button = element("button", { type: "button", "data-day": day, onclick: () => this.pick(day) }, String(Number(day.slice(8))));
      cells.push(element("td", {}, button));
      if (cells.length === 7) {
        rows.push(element("tr", {}, cells));
        cells = [];
      }
    }
    if (cells.length) rows.push(element("tr", {}, cells));
    this.grid.replaceChildren(element("thead", {}, head), element("tbody", {}, rows));
    this.paint();
  }

  // Selection, range, marks and the roving tab stop, without redrawing the grid.
  paint() {
    const { start, end } = this.range;
    for (const button of this.grid.querySelectorAll("button[data-day]")) {
      const day = button.dataset.day;
      const chosen = day === start || day === end;
      const within = start && end && day > start && day < end;
      const cohort = this.marked.has(day);
      button.className = [chosen ? "chosen" : "", within ? "within" : "", cohort ? "cohort-end" : ""].join(" ").trim();
      button.setAttribute("aria-pressed", String(chosen || Boolean(within)));
      const words = [dayOf(day).toLocaleDateString("en", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })];
      if (cohort) words.push("a cohort ends");
      if (day === start) words.push("start of range");
      if (day === end) words.push("end of range");
      button.setAttribute("aria-label", words.join(", "));
      button.tabIndex = day === this.focused ? 0 : -1;
    }
  }
}

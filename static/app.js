// Closes the header's account menu (a <details>) on a click elsewhere or on Escape; without
// this script it still opens and closes from its own summary.
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.account-menu[open]")) {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.account-menu[open]")) {
    menu.removeAttribute("open");
    menu.querySelector("summary")?.focus();
  }
});

// A popover has no "open" attribute: a flag form that htmx swapped back in with an error asks,
// with data-open, to be shown again.
document.addEventListener("htmx:load", (event) => {
  for (const panel of event.detail.elt.querySelectorAll("[popover][data-open]")) {
    panel.showPopover();
  }
});

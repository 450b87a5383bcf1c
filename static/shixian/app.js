// Small behaviours of the pages, bound by data attributes: the Content-Security-Policy allows no
// inline script, so pages say what they want here instead of in onclick/<script>.
//   <input data-select-on-focus>                      selects its text when focused
//   <button data-copy="#id" data-copied="Copied">      copies #id's value; shown only where the
//                                                       browser offers the clipboard (https or localhost)
//   <details class="menu">                             the header's menu: open wider than a phone, for a
//                                                       browser without CSS ::details-content
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var wide = window.matchMedia("(min-width: 641px)");
  var menu = document.querySelector("details.menu");
  function fitMenu() { if (menu) menu.open = wide.matches; }
  fitMenu();
  wide.addEventListener("change", fitMenu);
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
    if (document.activeElement === input) input.select(); // focused by autofocus before this ran
  });
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(function () {
        button.textContent = button.dataset.copied;
      });
    });
  });
});

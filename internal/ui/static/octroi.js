// octroi's only script: conveniences on top of pages that work without it.
// Buttons with data-copy copy the text of the element they name.
"use strict";
document.addEventListener("click", function (ev) {
  var b = ev.target.closest("[data-copy]");
  if (!b || !navigator.clipboard) return;
  var src = document.getElementById(b.getAttribute("data-copy"));
  if (src) navigator.clipboard.writeText(src.textContent.trim());
});

// A checkbox with data-select-all="NAME" (hidden without scripts) checks
// or unchecks every checkbox named NAME of its form.
document.querySelectorAll("[data-select-all]").forEach(function (all) {
  all.hidden = false;
  all.addEventListener("change", function () {
    var name = all.getAttribute("data-select-all");
    all.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (c) {
      c.checked = all.checked;
    });
  });
});

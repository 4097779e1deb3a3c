// octroi's only script: conveniences on top of pages that work without it.
// Buttons with data-copy copy the text of the element they name.
"use strict";
document.addEventListener("click", function (ev) {
  var b = ev.target.closest("[data-copy]");
  if (!b || !navigator.clipboard) return;
  var src = document.getElementById(b.getAttribute("data-copy"));
  if (src) navigator.clipboard.writeText(src.textContent.trim());
});

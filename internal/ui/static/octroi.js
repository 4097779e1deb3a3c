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

// A search form with data-live-search="ID" updates the element ID as the
// reader types, with the same page the form would load. The attribute may
// also sit on a part of a larger form, with data-live-search-url the page
// that form's search button loads (with every field of the form, so that
// the page knows what is already chosen).
document.querySelectorAll("[data-live-search]").forEach(function (box) {
  var form = box.tagName === "FORM" ? box : box.closest("form");
  var target = document.getElementById(box.getAttribute("data-live-search"));
  var input = box.querySelector('input[type="search"]');
  if (!form || !target || !input) return;
  var action = box.getAttribute("data-live-search-url") || form.action;
  var timer, seq = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (input.value.trim().length < 2) return;
      var mine = ++seq;
      var url = action + "?" + new URLSearchParams(new FormData(form)).toString();
      fetch(url, {credentials: "same-origin"}).then(function (r) { return r.text(); }).then(function (html) {
        if (mine !== seq) return;
        var found = new DOMParser().parseFromString(html, "text/html").getElementById(target.id);
        if (found) target.innerHTML = found.innerHTML;
      });
    }, 250);
  });
});

// Copy buttons are hidden without scripts (the text stays to select by
// hand); with them, they show.
document.querySelectorAll("button[data-copy][hidden]").forEach(function (b) {
  if (navigator.clipboard) b.hidden = false;
});
// In an element with data-pick-into="ID" (search results), ticking a
// checkbox moves its line into the list ID (what is chosen), so that the
// next search does not take it away.
document.querySelectorAll("[data-pick-into]").forEach(function (box) {
  var into = document.getElementById(box.getAttribute("data-pick-into"));
  if (!into) return;
  box.addEventListener("change", function (ev) {
    var c = ev.target;
    if (c.type !== "checkbox" || !c.checked) return;
    var li = c.closest("li");
    if (li) into.appendChild(li);
    c.focus();
  });
});

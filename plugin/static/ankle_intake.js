/* Progressive enhancement only: the form works in full without this script.
   It moves focus to the error summary after a refused submission; folds away
   the Ottawa findings while they would not be applied (a gradual onset, or a
   sudden injury more than 10 days before the assessment) and no finding is
   recorded, leaving the note visible and a button that shows them again; and
   puts the special tests that fit the onset and pain locations first, moving
   the others into the folded "Other tests" part (the same rule as
   forms.intake_form.rank_tests; moving the elements keeps the tab order);
   and opens the pain pattern and the training factors for a gradual onset,
   folding them for a sudden one while nothing in them is ticked.
   On the review page it shows a button that copies the clinician's note,
   and shows the override reason only while the chosen level is below the
   suggested one (or the reason holds text or an error). */
(function () {
  "use strict";
  var copy = document.querySelector("[data-ai-copy]");
  if (copy && navigator.clipboard) {
    var status = document.querySelector("[data-ai-copy-status]");
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var text = document.getElementById(copy.getAttribute("data-ai-copy")).textContent;
      navigator.clipboard.writeText(text).then(
        function () { status.textContent = "Note copied."; },
        function () { status.textContent = "Copy failed: select the note and copy it by hand."; }
      );
    });
  }
  var summary = document.getElementById("ai-error-summary");
  if (summary) { summary.focus(); }
  var overrides = document.querySelectorAll("[data-ai-override]");
  Array.prototype.forEach.call(overrides, function (box) {
    var form = box.closest("form");
    var levels = form.querySelectorAll('input[name="triage_level"]');
    var suggested = form.querySelector("input[data-ai-suggested]");
    var reason = box.querySelector("textarea");
    function update() {
      var chosen = form.querySelector('input[name="triage_level"]:checked');
      var lower = chosen && suggested &&
        Number(chosen.getAttribute("data-ai-rank")) < Number(suggested.getAttribute("data-ai-rank"));
      box.hidden = !lower && !reason.value.trim() && !box.querySelector(".ai-error");
    }
    for (var i = 0; i < levels.length; i++) { levels[i].addEventListener("change", update); }
    update();
  });
  var onset = document.querySelectorAll('input[name="onset"]');
  if (!onset.length) { return; }

  function chosenOnset() {
    var checked = document.querySelector('input[name="onset"]:checked');
    return checked ? checked.value : "";
  }
  function listen(inputs, handler) {
    for (var i = 0; i < inputs.length; i++) { inputs[i].addEventListener("change", handler); }
  }

  var MAX_OTTAWA_DAYS = 10;
  var DAY_MS = 86400000;
  function daysSinceInjury() {
    var injury = document.getElementById("injury_date");
    var assessed = document.getElementById("assessment_date");
    var from = injury && Date.parse(injury.value);
    if (!from) { return null; }
    var to = assessed && assessed.value ? Date.parse(assessed.value) : Date.now();
    return to ? Math.floor((to - from) / DAY_MS) : null;
  }

  var box = document.querySelector("[data-ai-ottawa]");
  if (box) {
    var shown = false;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "ai-button ai-button--secondary ai-ottawa__show";
    button.textContent = "Record Ottawa findings anyway";
    button.addEventListener("click", function () { shown = true; updateOttawa(); });
    box.insertBefore(button, box.querySelector("[data-ai-ottawa-findings]"));
    var recorded = function () {
      return box.querySelectorAll('input[value="yes"]:checked, input[value="no"]:checked').length > 0;
    };
    var updateOttawa = function () {
      var days = daysSinceInjury();
      var outside = chosenOnset() === "gradual" ||
        (chosenOnset() === "sudden" && days !== null && days > MAX_OTTAWA_DAYS);
      var collapse = outside && !recorded() && !shown;
      box.classList.toggle("ai-ottawa--collapsed", collapse);
      button.hidden = !collapse;
    };
    listen(onset, updateOttawa);
    listen(document.querySelectorAll("#injury_date, #assessment_date"), updateOttawa);
    updateOttawa();
  }

  var gradualFolds = document.querySelectorAll("[data-ai-fold-gradual]");
  listen(onset, function () {
    for (var i = 0; i < gradualFolds.length; i++) {
      var fold = gradualFolds[i];
      if (chosenOnset() === "gradual") { fold.open = true; }
      else if (!fold.querySelector("input:checked")) { fold.open = false; }
    }
  });

  var first = document.querySelector("[data-ai-tests-first]");
  var other = document.querySelector("[data-ai-tests-other]");
  if (!first || !other) { return; }
  var otherList = other.querySelector("[data-ai-tests-other-list]");
  var count = other.querySelector("[data-ai-tests-count]");
  var tests = Array.prototype.slice.call(document.querySelectorAll("[data-ai-test]"));
  var order = tests.sort(function (a, b) {  // the vocabulary's order
    return Number(a.getAttribute("data-ai-order")) - Number(b.getAttribute("data-ai-order"));
  });
  var locations = document.querySelectorAll('input[name="pain_locations"]');

  function words(el, name) { return (el.getAttribute(name) || "").split(" "); }
  function updateTests() {
    var where = [];
    for (var i = 0; i < locations.length; i++) {
      if (locations[i].checked) { where.push(locations[i].value); }
    }
    var when = chosenOnset();
    var none = !when && !where.length;
    var scored = order.map(function (test, index) {
      var at = !where.length || words(test, "data-locations").some(function (l) {
        return where.indexOf(l) >= 0;
      });
      var then = !when || words(test, "data-onsets").indexOf(when) >= 0;
      var fits = none || (at && then);
      return {test: test, fits: fits, key: (at ? 0 : 2) + (then ? 0 : 1), index: index};
    });
    var others = scored.filter(function (s) { return !s.fits; });
    others.sort(function (a, b) { return a.key - b.key || a.index - b.index; });
    scored.forEach(function (s) { if (s.fits) { first.appendChild(s.test); } });
    others.forEach(function (s) { otherList.appendChild(s.test); });
    other.hidden = others.length === 0;
    count.textContent = String(others.length);
    if (otherList.querySelector('input[value="positive"]:checked, input[value="negative"]:checked')) {
      other.open = true;  // a recorded result is never folded away
    }
  }
  listen(onset, updateTests);
  listen(locations, updateTests);
  updateTests();
}());

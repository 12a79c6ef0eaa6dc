/* Progressive enhancement only: the form works in full without this script.
   It moves focus to the error summary after a refused submission, and folds
   away the Ottawa findings while "gradual" onset is chosen and no finding is
   recorded; the note stays visible and a button shows the findings again.
   On the result page it shows a button that copies the clinician's note. */
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
  var box = document.querySelector("[data-ai-ottawa]");
  var onset = document.querySelectorAll('input[name="onset"]');
  if (!box || !onset.length) { return; }
  var shown = false;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "ai-button ai-button--secondary ai-ottawa__show";
  button.textContent = "Record Ottawa findings anyway";
  button.addEventListener("click", function () { shown = true; update(); });
  box.insertBefore(button, box.querySelector("[data-ai-ottawa-findings]"));
  function recorded() {
    return box.querySelectorAll('input[value="yes"]:checked, input[value="no"]:checked').length > 0;
  }
  function update() {
    var gradual = document.querySelector('input[name="onset"][value="gradual"]:checked');
    var collapse = Boolean(gradual) && !recorded() && !shown;
    box.classList.toggle("ai-ottawa--collapsed", collapse);
    button.hidden = !collapse;
  }
  for (var i = 0; i < onset.length; i++) { onset[i].addEventListener("change", update); }
  update();
}());

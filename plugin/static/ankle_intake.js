/* Progressive enhancement only: the form works in full without this script.
   It folds away the Ottawa findings while "gradual" onset is chosen and no
   finding has been recorded; the explanatory note stays visible. */
(function () {
  "use strict";
  var box = document.querySelector("[data-ai-ottawa]");
  var onset = document.querySelectorAll('input[name="onset"]');
  if (!box || !onset.length) { return; }
  function recorded() {
    return box.querySelectorAll('input[type="radio"][value="yes"]:checked, input[type="radio"][value="no"]:checked').length > 0;
  }
  function update() {
    var gradual = document.querySelector('input[name="onset"][value="gradual"]:checked');
    box.classList.toggle("ai-ottawa--collapsed", Boolean(gradual) && !recorded());
  }
  for (var i = 0; i < onset.length; i++) { onset[i].addEventListener("change", update); }
  update();
}());

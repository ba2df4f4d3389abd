// Progressive enhancement only: adds a "Copy" button next to the read-only IRI field.
// Every page works without it (the field can be selected and copied by hand).
(function () {
  "use strict";
  var field = document.querySelector("input.iri-input");
  if (!field || !navigator.clipboard) { return; }
  var button = document.createElement("button");
  button.type = "button";
  button.className = "copy";
  button.textContent = "Copy";
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 1500);
    });
  });
  field.insertAdjacentElement("afterend", button);
  field.addEventListener("focus", function () { field.select(); });
})();

/* Inside an embedded form: tell the host page how tall the form is, so its iframe fits. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var slug = document.body.getAttribute("data-form-slug");
  function report() {
    var h = document.documentElement.scrollHeight;
    window.parent.postMessage({ accordForm: slug, height: h }, "*");
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  report();
})();

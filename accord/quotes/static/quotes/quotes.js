// Quote lines: a refused line change comes back as 422 with the lines and the error message;
// swap it in (htmx leaves 4xx responses out by default).
(function () {
  "use strict";
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 422 && event.detail.target && event.detail.target.closest("#quote-lines")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();

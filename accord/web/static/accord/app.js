// Accord's small page behaviours on top of htmx. No framework; loaded with defer.
(function () {
  "use strict";

  var body = document.body;
  var loginUrl = body.getAttribute("data-login-url") || "/login/";

  function showError(show) {
    var box = document.getElementById("htmx-error");
    if (box) box.hidden = !show;
  }

  // A fragment request whose session has expired is redirected to the login page: go there as a
  // whole page (its ?next= is the URL asked for, which also serves the whole page) instead of
  // swapping a login form into a table.
  body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || !xhr.responseURL) return;
    var url = new URL(xhr.responseURL, window.location.href);
    if (url.pathname === loginUrl) {
      event.detail.shouldSwap = false;
      window.location.assign(url.href);
    }
  });

  body.addEventListener("htmx:responseError", function () { showError(true); });
  body.addEventListener("htmx:sendError", function () { showError(true); });
  body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) showError(false);
  });
})();

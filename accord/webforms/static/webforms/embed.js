/*
 * Accord form embed. Paste on your site:
 *   <div data-accord-form="SLUG"></div>
 *   <script async src="https://ACCORD/forms/embed.js"></script>
 * Replaces each placeholder with an iframe of the hosted form, passing what only the host page
 * knows: its URL (with the UTM codes), its referrer and the visitor's accord_aid cookie (set by
 * /t/accord.js), so the submission joins the visitor's earlier page views. The iframe grows to
 * the form's height. No other cookies, no third-party requests.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = script.src.replace(/\/forms\/embed\.js(\?.*)?$/, "");
  var origin = new URL(base).origin;
  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]+)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  function mount(el) {
    var slug = el.getAttribute("data-accord-form");
    if (!slug || el.getAttribute("data-accord-mounted")) return;
    el.setAttribute("data-accord-mounted", "1");
    var here = new URLSearchParams(window.location.search);
    var q = new URLSearchParams();
    q.set("embed", "1");
    ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"].forEach(function (k) {
      if (here.get(k)) q.set(k, here.get(k));
    });
    q.set("page_url", window.location.href);
    if (document.referrer) q.set("referrer", document.referrer);
    var aid = cookie("accord_aid");
    if (aid) q.set("aid", aid);
    var frame = document.createElement("iframe");
    frame.src = base + "/forms/f/" + encodeURIComponent(slug) + "/?" + q.toString();
    frame.title = el.getAttribute("data-title") || "Form";
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.minHeight = "320px";
    frame.setAttribute("loading", "lazy");
    el.appendChild(frame);
    window.addEventListener("message", function (event) {
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      if (data.accordForm === slug && typeof data.height === "number" && data.height > 0 && data.height < 20000) {
        frame.style.height = Math.ceil(data.height) + 8 + "px";
      }
    });
  }
  var nodes = document.querySelectorAll("[data-accord-form]");
  for (var i = 0; i < nodes.length; i++) mount(nodes[i]);
})();

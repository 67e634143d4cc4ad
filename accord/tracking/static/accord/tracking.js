/*! Accord website snippet: page views, UTM codes and form identifies, sent to Accord's
 * Segment-compatible API. No dependencies, no third-party requests.
 *   <script async src="https://YOUR-ACCORD/t/accord.js" data-write-key="wk_..."></script>
 * Sets one first-party cookie, accord_aid (a random id, 1 year, SameSite=Lax).
 * API: accord.page(), accord.track(event, properties), accord.identify(traits)
 */
(function (w, d) {
  "use strict";
  if (w.accord && w.accord.loaded) return;
  var script = d.currentScript || d.querySelector("script[data-write-key]");
  if (!script) return;
  var writeKey = script.getAttribute("data-write-key");
  var host = script.getAttribute("data-host") || new URL(script.src, w.location.href).origin;
  var COOKIE = "accord_aid";
  var YEAR = 365 * 24 * 3600;
  var UTM = { utm_source: "source", utm_medium: "medium", utm_campaign: "name", utm_term: "term", utm_content: "content" };
  var FIELDS = { email: "email", first_name: "firstName", firstname: "firstName", last_name: "lastName",
    lastname: "lastName", name: "name", company: "company", title: "title", job_title: "title", phone: "phone" };

  function uuid() {
    if (w.crypto && w.crypto.randomUUID) return w.crypto.randomUUID();
    var b = new Uint8Array(16);
    w.crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function anonymousId() {
    var m = d.cookie.match(/(?:^|;\s*)accord_aid=([^;]+)/);
    var id = m ? decodeURIComponent(m[1]) : uuid();
    d.cookie = COOKIE + "=" + encodeURIComponent(id) + "; Max-Age=" + YEAR + "; Path=/; SameSite=Lax" +
      (w.location.protocol === "https:" ? "; Secure" : "");
    return id;
  }

  function campaign() {
    var out = {}, found = false, params = new URLSearchParams(w.location.search);
    Object.keys(UTM).forEach(function (k) {
      var v = params.get(k);
      if (v) { out[UTM[k]] = v; found = true; }
    });
    return found ? out : undefined;
  }

  function context() {
    var l = w.location;
    return {
      page: { url: l.href, path: l.pathname, search: l.search, title: d.title, referrer: d.referrer },
      campaign: campaign(),
      userAgent: w.navigator.userAgent,
      locale: w.navigator.language,
      library: { name: "accord.js", version: "1" }
    };
  }

  function send(type, fields) {
    var now = new Date().toISOString();
    var msg = { writeKey: writeKey, type: type, messageId: uuid(), anonymousId: anonymousId(),
      timestamp: now, sentAt: now, context: context() };
    Object.keys(fields || {}).forEach(function (k) { msg[k] = fields[k]; });
    var url = host + "/v1/" + type, body = JSON.stringify(msg);
    // text/plain keeps this a "simple" request: no CORS preflight, and sendBeacon allows it.
    if (w.navigator.sendBeacon && w.navigator.sendBeacon(url, new Blob([body], { type: "text/plain" }))) return;
    if (w.fetch) {
      w.fetch(url, { method: "POST", body: body, keepalive: true, mode: "cors", credentials: "omit",
        headers: { "Content-Type": "text/plain" } }).catch(function () {});
    }
  }

  function formTraits(form) {
    var traits = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !el.value || el.type === "password" || el.type === "hidden") return;
      var key = el.type === "email" ? "email" : FIELDS[el.name.toLowerCase()];
      if (key && !traits[key]) traits[key] = String(el.value).trim().slice(0, 254);
    });
    return traits;
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form || form.tagName !== "FORM") return;
    if (!form.hasAttribute("data-accord-identify") && !form.querySelector("input[type=email]")) return;
    var traits = formTraits(form);
    if (traits.email) api.identify(traits);
  }

  var api = {
    loaded: true,
    page: function (name, properties) { send("page", { name: name || d.title, properties: properties || {} }); },
    track: function (event, properties) { send("track", { event: event, properties: properties || {} }); },
    identify: function (traits) { send("identify", { traits: traits || {} }); },
    anonymousId: anonymousId
  };
  w.accord = api;
  d.addEventListener("submit", onSubmit, true);
  if (!script.hasAttribute("data-no-page")) api.page();
})(window, document);

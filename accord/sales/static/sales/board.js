// Kanban drag and drop for the pipeline board. Without JS (or without a mouse) each card's
// "Move to…" form does the same as a plain POST. A drop on a won/lost column asks for the reason.
(function () {
  "use strict";
  var dragged = null;
  var pending = null; // {card, stageId} while the close dialog is open

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function say(text) {
    var status = document.getElementById("board-status");
    if (status) status.textContent = text;
  }

  function refresh() {
    if (window.htmx) {
      window.htmx.ajax("GET", window.location.href, { target: "#board", swap: "outerHTML" });
    } else {
      window.location.reload();
    }
  }

  function move(card, stageId, extra) {
    var body = new FormData();
    body.append("stage", stageId);
    Object.keys(extra || {}).forEach(function (k) { body.append(k, extra[k]); });
    return fetch(card.dataset.moveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    });
  }

  function column(el) { return el && el.closest ? el.closest(".board-col") : null; }

  document.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".deal-card[draggable=true]");
    if (!card) return;
    dragged = card;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.dealId);
    card.classList.add("is-dragging");
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    document.querySelectorAll(".board-col.is-over").forEach(function (c) { c.classList.remove("is-over"); });
    dragged = null;
  });
  document.addEventListener("dragover", function (e) {
    var col = column(e.target);
    if (!col || !dragged) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    col.classList.add("is-over");
  });
  document.addEventListener("dragleave", function (e) {
    var col = column(e.target);
    if (col && !col.contains(e.relatedTarget)) col.classList.remove("is-over");
  });
  document.addEventListener("drop", function (e) {
    var col = column(e.target);
    if (!col || !dragged) return;
    e.preventDefault();
    col.classList.remove("is-over");
    var card = dragged;
    if (col.dataset.stageId === card.dataset.stageId) return;
    if (col.dataset.outcome !== "open") {
      openDialog(card, col);
      return;
    }
    say("Moving…");
    move(card, col.dataset.stageId).then(function (result) {
      say(result.ok ? "Deal moved." : result.data.message);
      refresh();
    }).catch(function () { say("The move did not go through. Check your connection and try again."); });
  });

  function openDialog(card, col) {
    var dialog = document.getElementById("close-dialog");
    var form = document.getElementById("close-dialog-form");
    pending = { card: card, stageId: col.dataset.stageId };
    form.reset();
    dialog.querySelector("[data-outcome-label]").textContent = col.dataset.outcome;
    dialog.querySelector("[data-lost-only]").hidden = col.dataset.outcome !== "lost";
    document.getElementById("close-dialog-error").hidden = true;
    dialog.showModal();
    document.getElementById("close-reason").focus();
  }

  document.addEventListener("submit", function (e) {
    if (e.target.id !== "close-dialog-form" || !pending) return;
    e.preventDefault();
    var form = e.target;
    var extra = { reason: form.reason.value, competitor: form.competitor.value };
    move(pending.card, pending.stageId, extra).then(function (result) {
      if (result.ok) {
        document.getElementById("close-dialog").close();
        pending = null;
        say("Deal closed.");
        refresh();
        return;
      }
      var error = document.getElementById("close-dialog-error");
      var fields = result.data.field_errors || {};
      var parts = Object.keys(fields).map(function (k) { return fields[k].join(" "); });
      error.textContent = result.data.message + (parts.length ? " " + parts.join(" ") : "");
      error.hidden = false;
    });
  });

  document.addEventListener("click", function (e) {
    if (e.target.matches && e.target.matches("#close-dialog [data-cancel]")) {
      document.getElementById("close-dialog").close();
      pending = null;
    }
  });
})();

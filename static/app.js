// Samskabt's only script beside htmx: keep typed text, count characters, report trouble.
// No inline scripts anywhere; the texts come from data attributes rendered in Danish/English.
(function () {
  "use strict";

  // Drafts: a phone that loses its connection, reloads or changes step keeps what was typed.
  function restoreDrafts(root) {
    root.querySelectorAll("[data-draft]").forEach(function (field) {
      var form = field.form;
      if (form && form.hasAttribute("data-sent")) {
        // Sent: this fresh form starts empty (unless the next text is already being typed).
        if (!field.value) localStorage.removeItem(field.dataset.draft);
        // Once: a later poll re-runs this over the same form, and must not wipe the draft
        // of the next card being typed.
        form.removeAttribute("data-sent");
      } else if (!field.value) {
        field.value = localStorage.getItem(field.dataset.draft) || "";
      }
      updateCounter(field);
    });
  }

  function updateCounter(field) {
    var max = parseInt(field.dataset.counter || "0", 10);
    var hint = field.getAttribute("aria-describedby");
    var hintEl = hint && document.getElementById(hint);
    if (!max || !hintEl) return;
    if (!hintEl.dataset.base) hintEl.dataset.base = hintEl.textContent;
    var over = field.value.length > max;
    hintEl.textContent = hintEl.dataset.base + " (" + field.value.length + "/" + max + ")";
    hintEl.classList.toggle("field-error", over);
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-draft]")) {
      localStorage.setItem(field.dataset.draft, field.value);
      updateCounter(field);
    }
  });

  // Polls: the script keeps each polled region's ETag and sends it (If-None-Match), so
  // the server answers 304 while nothing changed; a 304 keeps what the region shows (htmx
  // would swap its empty body in). A phone's own change (a tap on a dot) is in its reply
  // already: the reply names the ETag the region has with it (X-Live-ETag), which the
  // script takes when the region has not moved on meanwhile, so the next poll is a 304
  // too, not a redraw of the whole list. Keyed by the polling URL, so the memory survives
  // the region being replaced. Where the browser revalidates a poll on its own and hands
  // back the stored reply, an unchanged fragment is not swapped in either: focus, scroll
  // and screen readers stay undisturbed, and what the phone's own request brought stays.
  var lastPoll = new Map();
  var pollTags = new Map();
  function pollKey(event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    return elt && elt.hasAttribute("data-poll") ? elt.getAttribute("hx-get") : null;
  }
  function livePollUrl() {
    var live = document.getElementById("live");
    return live && live.hasAttribute("data-poll") ? live.getAttribute("hx-get") : null;
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute("data-poll")) {
      var tag = pollTags.get(elt.getAttribute("hx-get"));
      if (tag) event.detail.headers["If-None-Match"] = tag;
      return;
    }
    var url = livePollUrl();
    if (url && pollTags.has(url)) {
      event.detail.headers["X-Live-ETag"] = pollTags.get(url);
      event.detail.sentTag = [url, pollTags.get(url)];
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var key = pollKey(event);
    if (!key) return;
    var status = event.detail.xhr.status;
    if (status === 304 || (status === 200 && lastPoll.get(key) === event.detail.xhr.responseText)) {
      event.detail.shouldSwap = false;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status !== 200) return;
    var key = pollKey(event);
    if (key) {
      lastPoll.set(key, xhr.responseText);
      var tag = xhr.getResponseHeader("ETag");
      if (tag) pollTags.set(key, tag);
      else pollTags.delete(key);
      // A new step: the region polls a new URL now, and the reply named its key there.
      var region = document.getElementById(event.detail.requestConfig.elt.id);
      var moved = xhr.getResponseHeader("X-Live-ETag");
      var url = region && region.getAttribute("hx-get");
      if (moved && url && url !== key) pollTags.set(url, moved);
      return;
    }
    var next = xhr.getResponseHeader("X-Live-ETag");
    var sent = event.detail.requestConfig && event.detail.requestConfig.sentTag;
    if (next && sent && pollTags.get(sent[0]) === sent[1]) pollTags.set(sent[0], next);
  });

  // The dot budget: a vote's reply carries only the tapped item and the dots left, so grey
  // out every + when the budget is spent and bring them back when a dot is taken back
  // (data-full: one dot per item and this one has it). Without JavaScript the whole page
  // comes back from the server, drawn the same way.
  function syncDotButtons() {
    var left = document.querySelector("#dots-left [data-dots-left]");
    if (!left) return;
    var spent = Number(left.dataset.dotsLeft) <= 0;
    document.querySelectorAll(".vote-controls button[data-give]").forEach(function (button) {
      button.disabled = spent || button.hasAttribute("data-full");
    });
  }
  document.addEventListener("htmx:afterSettle", syncDotButtons);

  // Screen readers: a polled region is replaced as a whole, so it is no live region itself.
  // Its fragment carries short summaries (data-announce: "8 cards on the wall", "The result
  // of the vote is shown."); when they change, the page's one polite live region
  // (#announcer) says the new summary: at most once per poll, never the whole wall.
  var announced = new Map();
  function summaryOf(region) {
    return Array.prototype.map
      .call(region.querySelectorAll("[data-announce]"), function (el) {
        return el.dataset.announce;
      })
      .join(" ");
  }
  // Keyed by the region's id: a phone's #live keeps it when its URL changes with the stage.
  function noteSummaries(root) {
    root.querySelectorAll("[data-poll]").forEach(function (region) {
      announced.set(region.id, summaryOf(region));
    });
  }
  function announceChanges(region) {
    var key = region.id;
    var summary = summaryOf(region);
    var before = announced.get(key);
    announced.set(key, summary);
    var announcer = document.getElementById("announcer");
    if (announcer && before !== undefined && summary && summary !== before) {
      announcer.textContent = summary;
    }
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!pollKey(event)) return;
    var region = document.getElementById(event.detail.requestConfig.elt.id);
    if (region) announceChanges(region);
  });

  function showMessage(key) {
    var box = document.getElementById("messages");
    if (!box) return;
    var p = document.createElement("p");
    p.className = "message message-error";
    p.textContent = box.dataset[key];
    box.replaceChildren(p);
  }

  function clearTrouble() {
    var box = document.getElementById("messages");
    if (box && box.dataset.trouble) {
      box.replaceChildren();
      delete box.dataset.trouble;
    }
  }

  // A form that could not be sent for want of a connection is sent again by itself once
  // the browser is back online (and every 5 s while it says it is). Its text stays in the
  // field meanwhile (and in localStorage); the form's client token or absolute value
  // (a vote sends how many dots, not "one more") makes a second arrival harmless.
  var unsent = null;
  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.tagName === "FORM" && elt.hasAttribute("hx-post")) unsent = elt;
    showMessage("offline");
    document.getElementById("messages").dataset.trouble = "1";
  });
  function resend() {
    if (!unsent || !navigator.onLine) return;
    var form = unsent;
    unsent = null;
    if (!document.body.contains(form)) return;
    if (form.requestSubmit) form.requestSubmit();
    else htmx.trigger(form, "submit");
  }
  window.addEventListener("online", resend);
  setInterval(resend, 5000);
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status >= 500) {
      showMessage("failed");
      document.getElementById("messages").dataset.trouble = "1";
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) clearTrouble();
    if (event.detail.elt === unsent && event.detail.xhr && event.detail.xhr.status) unsent = null;
  });

  // Errors where the person is looking. A refused form comes back with its reason at the
  // top, and on a phone that is often above the screen: the person scrolled down to the
  // button. Bring the first error into view and give it focus, so a screen reader reads it
  // too: after a refused htmx request (4xx; never after a poll), and when a page loads with
  // an error in its forms (a form posted without htmx).
  var ERRORS = ".message-error, [aria-invalid='true'], .field-error";
  function showError(error) {
    if (!error.matches("input, select, textarea, button, a[href], [tabindex]")) {
      error.setAttribute("tabindex", "-1");
    }
    error.focus({ preventScroll: true });
    error.scrollIntoView({ block: "center" });
  }
  var answered = new WeakSet();
  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status < 400 || xhr.status >= 500 || answered.has(xhr) || pollKey(event)) {
      return;
    }
    var root = event.target;
    var error = root.matches && root.matches(ERRORS) ? root : root.querySelector(ERRORS);
    if (!error) return;
    answered.add(xhr); // one reply may settle several swapped elements: the first error wins
    // After htmx is done: a boosted page (the facilitator's) is scrolled to its top once the
    // new body has settled, which would undo this.
    setTimeout(function () {
      showError(error);
    }, 0);
  });
  // And a confirmation ("Saved") is shown where it appeared: beside the button pressed, which
  // may have been at the very bottom of the screen.
  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status < 200 || xhr.status >= 300 || pollKey(event)) return;
    var root = event.target;
    var saved = root.querySelector && root.querySelector(".saved-note");
    if (saved) saved.scrollIntoView({ block: "nearest" });
  });
  function showErrorOnLoad() {
    var error = document.querySelector(
      "main .message-error[role='alert'], main form .field-error, main form [aria-invalid='true']"
    );
    if (error && !document.body.classList.contains("projector")) showError(error);
  }

  // The facilitator's timer counts down to an absolute end. The phone's own clock may be
  // off: correct it by the server's time when this page was served (pages are not cached).
  var clockOffset = 0;
  function startTimers(root) {
    root.querySelectorAll(".timer[data-ends-at]").forEach(function (timer) {
      timer.dataset.deadline = Number(timer.dataset.endsAt) - clockOffset;
    });
    tickTimers();
  }

  function tickTimers() {
    document.querySelectorAll(".timer[data-deadline]").forEach(function (timer) {
      var left = Math.max(0, Math.ceil((Number(timer.dataset.deadline) - Date.now()) / 1000));
      var clock = timer.querySelector(".timer-clock");
      var text = left
        ? Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0")
        : timer.dataset.doneText;
      if (clock.textContent !== text) clock.textContent = text;
      timer.classList.toggle("is-done", left === 0);
    });
  }
  setInterval(tickTimers, 1000);

  // Copy a link (the manager links): the field stays selectable without JavaScript.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    if (!field || !navigator.clipboard) return;
    navigator.clipboard.writeText(field.value).then(function () {
      var label = button.firstChild;
      if (label && label.nodeType === Node.TEXT_NODE) label.textContent = button.dataset.copied;
    });
  });



  // Drafts on the facilitator's forms (data-keep="<key>"). Unlike a phone's, these fields
  // may come filled with what was saved, so a draft is put back whenever it differs from
  // what the page shows (after a reload, another form sent, a lost connection), and the
  // form's note (data-draft-note) says so: nothing typed is dropped without a word. A draft
  // lives until its form is sent and answered with success (2xx); a refusal (422) keeps it,
  // and the refused form shows the typed text itself.
  var KEEP = "samskabt-keep:";
  function restoreKept(root) {
    var restored = new Set();
    root.querySelectorAll("[data-keep]").forEach(function (field) {
      var draft = localStorage.getItem(KEEP + field.dataset.keep);
      if (draft === null || draft === field.value) return;
      var form = field.form;
      if (form && form.hasAttribute("data-refused")) return; // shows what was typed
      field.value = draft;
      if (form) restored.add(form);
      var folded = field.closest("details");
      if (folded) folded.open = true;
    });
    restored.forEach(function (form) {
      var note = form.querySelector("[data-draft-note]");
      if (note) note.hidden = false;
    });
  }
  function keep(event) {
    var field = event.target;
    if (field.matches && field.matches("[data-keep]")) {
      localStorage.setItem(KEEP + field.dataset.keep, field.value);
    }
  }
  document.addEventListener("input", keep);
  document.addEventListener("change", keep);
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    var status = event.detail.xhr.status;
    if (!elt || status < 200 || status > 299) return;
    var form = elt.tagName === "FORM" ? elt : elt.closest("form");
    if (!form) return;
    form.querySelectorAll("[data-keep]").forEach(function (field) {
      localStorage.removeItem(KEEP + field.dataset.keep);
    });
  });

  // --- The control panel (templates/facilitator/course.html) --------------------------
  // Its actions swap #panel in place. The side column's folded sections stay as the
  // facilitator left them (also across reloads of the tab), and the focus stays on the
  // control that was used; if that control is gone (a phase button that changed, a button
  // a confirmation stands in for), it goes to the confirmation or the same form's first
  // control, never back to the top of the page.
  var OPEN_KEY = "samskabt-open-sections";
  var openSections = new Set();
  try {
    openSections = new Set(JSON.parse(sessionStorage.getItem(OPEN_KEY) || "[]"));
  } catch (error) {
    openSections = new Set();
  }
  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (!details.matches || !details.matches(".cockpit details[id]")) return;
      if (details.open) openSections.add(details.id);
      else openSections.delete(details.id);
      try {
        sessionStorage.setItem(OPEN_KEY, JSON.stringify(Array.from(openSections)));
      } catch (error) {
        // private mode: the sections fold again on the next swap, nothing else is lost
      }
    },
    true
  );
  function reopenSections(root) {
    root.querySelectorAll(".cockpit details[id]").forEach(function (details) {
      if (openSections.has(details.id)) details.open = true;
    });
  }

  // The same for any region an action swaps in place (the card page's #links, #card-main).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    var elt = event.detail.elt;
    if (!target || !target.id || !event.detail.xhr || elt.closest("[data-poll]")) return;
    var holder = elt.closest("form[id], [id]");
    event.detail.xhr.samskabtSource = holder ? holder.id : "";
    event.detail.xhr.samskabtTarget = target.id;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.samskabtSource === undefined) return;
    var region = document.getElementById(xhr.samskabtTarget);
    if (!region) return;
    reopenSections(region.closest(".cockpit") || region);
    var active = document.activeElement;
    if (active && active !== document.body && document.body.contains(active)) return;
    var holder = xhr.samskabtSource && document.getElementById(xhr.samskabtSource);
    var next =
      region.querySelector("[autofocus]") ||
      (holder && holder.querySelector("button:not([disabled]), a[href], input:not([type=hidden]), select, textarea")) ||
      (region.id === "panel" && document.getElementById("current-step")) ||
      region.querySelector("h2[id], h2");
    if (next) {
      if (!next.matches("a[href], button, input, select, textarea, [tabindex]")) next.tabIndex = -1;
      next.focus({ preventScroll: true });
    }
  });

  document.addEventListener("htmx:load", function (event) {
    restoreDrafts(event.detail.elt.parentNode || document);
    restoreKept(event.detail.elt.parentNode || document);
    startTimers(event.detail.elt.parentNode || document);
  });

  // The projector never scrolls (issue 20): its type is set in units of the window, and
  // what still does not fit is trimmed here. In the box marked data-fit-box, the lists
  // marked data-fit lose their last items, the list reaching furthest below the box first,
  // until everything fits; each trimmed list ends with "and N more" (data-more, # for N).
  // Only when one item of every list is still too much does the type shrink a little
  // (data-shrink, at most three steps, styled in app.css).
  function fitItems(list) {
    return Array.prototype.filter.call(list.children, function (item) {
      return !item.classList.contains("fit-more");
    });
  }
  function overflows(box) {
    return box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
  }
  function sayMore(list, moreText) {
    moreText = list.dataset.more || moreText;
    var hidden = fitItems(list).filter(function (item) { return item.hidden; }).length;
    var more = list.querySelector(":scope > .fit-more");
    if (!hidden) {
      if (more) more.remove();
      return;
    }
    if (!more) {
      more = document.createElement(list.tagName === "UL" || list.tagName === "OL" ? "li" : "p");
      more.className = "fit-more";
      list.appendChild(more);
    }
    more.textContent = moreText.replace("#", hidden);
  }
  // A list marked data-fit-page (the only list in its box) pages through instead: as many
  // items as fit, then the next ones every PAGE_SECONDS, saying "Page 1 of 3". The page
  // shown is kept by the list's key across the polls that replace it.
  var PAGE_SECONDS = 12;
  var pageShown = {};
  function label(list, text) {
    var more = list.querySelector(":scope > .fit-more");
    if (!more) {
      more = document.createElement(list.tagName === "UL" || list.tagName === "OL" ? "li" : "p");
      more.className = "fit-more";
      list.appendChild(more);
    }
    more.textContent = text;
  }
  function pageText(list, page, pages) {
    return list.dataset.pageText.replace("#", page).replace("*", pages);
  }
  function pageThrough(box, list) {
    var items = fitItems(list);
    var pages = [];
    var start = 0;
    if (!items.length) return;
    label(list, pageText(list, 88, 88)); // measured with room for the label
    while (start < items.length) {
      var end = items.length;
      items.forEach(function (item, i) { item.hidden = i < start; });
      while (end - start > 1 && overflows(box)) {
        end--;
        items[end].hidden = true;
      }
      pages.push([start, end]);
      start = end;
    }
    var key = list.dataset.fitPage;
    var page = (pageShown[key] || 0) % pages.length;
    pageShown[key] = page;
    items.forEach(function (item, i) {
      item.hidden = i < pages[page][0] || i >= pages[page][1];
    });
    list.dataset.pages = pages.length;
    if (pages.length > 1) label(list, pageText(list, page + 1, pages.length));
    else list.querySelector(":scope > .fit-more").remove();
  }
  setInterval(function () {
    document.querySelectorAll("[data-fit-page]").forEach(function (list) {
      if (Number(list.dataset.pages) > 1) {
        pageShown[list.dataset.fitPage] = (pageShown[list.dataset.fitPage] || 0) + 1;
        fitBox(list.closest("[data-fit-box]"));
      }
    });
  }, PAGE_SECONDS * 1000);

  function fitBox(box) {
    var lists = Array.prototype.slice.call(box.querySelectorAll("[data-fit]"));
    var moreText = box.dataset.more || "+#";
    delete box.dataset.shrink;
    if (lists.length === 1 && lists[0].hasAttribute("data-fit-page")) {
      pageThrough(box, lists[0]);
      for (var step = 1; step <= 3 && overflows(box); step++) box.dataset.shrink = step;
      return;
    }
    lists.forEach(function (list) {
      fitItems(list).forEach(function (item) { item.hidden = false; });
      sayMore(list, moreText);
    });
    for (var guard = 0; guard < 500 && overflows(box); guard++) {
      var bottom = box.getBoundingClientRect().bottom;
      var best = null, bestScore = -1;
      lists.forEach(function (list) {
        var shown = fitItems(list).filter(function (item) { return !item.hidden; });
        if (shown.length < 2 || list.closest("[hidden]")) return;
        var last = shown[shown.length - 1].getBoundingClientRect();
        // A list that reaches below the box goes first; among those, an innermost one (a
        // challenge keeps its place and loses solutions first), then the longest.
        var leaf = !list.querySelector("[data-fit]");
        var score = (last.bottom > bottom + 1 ? 10000 : 0) + (leaf ? 1000 : 0) + shown.length;
        if (score > bestScore) { best = list; bestScore = score; }
      });
      if (!best) break;
      var visible = fitItems(best).filter(function (item) { return !item.hidden; });
      visible[visible.length - 1].hidden = true;
      sayMore(best, moreText);
    }
    for (var level = 1; level <= 3 && overflows(box); level++) box.dataset.shrink = level;
  }
  function fitProjector() {
    document.querySelectorAll("[data-fit-box]").forEach(fitBox);
    document.body.dataset.fitted = "";
  }
  var refit = null;
  window.addEventListener("resize", function () {
    clearTimeout(refit);
    refit = setTimeout(fitProjector, 150);
  });
  // Fitted in the same task as the swap (htmx:afterSwap), so the new content is never
  // painted unfitted in the ~20 ms before htmx settles it.
  document.addEventListener("htmx:afterSwap", function () {
    if (document.body.classList.contains("projector")) fitProjector();
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.classList.contains("projector")) fitProjector();
    var serverNow = Number(document.body.dataset.serverNow);
    if (serverNow) clockOffset = serverNow - Date.now();
    restoreDrafts(document);
    restoreKept(document);
    startTimers(document);
    noteSummaries(document);
    showErrorOnLoad();

    reopenSections(document);
  });
})();

/* The studio's enhancements. Every page works without this script; it adds the toolbar,
   the live preview, autosave with a copy kept on the device, tabs on phones, and uploads
   without leaving the editor. No inline scripts or styles: the CSP forbids them. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, body, accept) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: accept || "application/json" }
    });
  }

  document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });

  var editor = document.getElementById("editor");
  if (!editor) { return; }

  var form = document.getElementById("post-form");
  var text = form.querySelector("textarea[name=body_source]");
  var title = form.querySelector("input[name=title]");
  var version = form.querySelector("input[name=version]");
  var saveState = editor.querySelector("[data-save-state]");
  var preview = editor.querySelector("[data-preview]");
  var previewTitle = editor.querySelector("[data-preview-title]");
  var previewPane = document.getElementById("pane-preview");
  var canEdit = editor.dataset.canEdit === "true";
  var storageKey = "despatch-draft-" + editor.dataset.post;
  var messages = {
    saving: "Saving…",
    saved: "Saved at ",
    offline: "Not saved yet: no connection. Your text is kept on this device and will be saved when the connection returns.",
    conflict: "Someone else saved this post. Your text is kept on this device; reload the page to compare.",
    restore: "Text from this device that was never saved was found.",
    restoreButton: "Restore it",
    discardButton: "Discard it"
  };

  /* ---- Word count and reading time ---- */
  var wordCount = editor.querySelector("[data-word-count]");
  var readingTime = editor.querySelector("[data-reading-time]");
  function updateFigures() {
    var words = text.value.trim() ? text.value.trim().split(/\s+/).length : 0;
    var minutes = words ? Math.max(1, Math.round(words / 230)) : 0;
    if (wordCount) { wordCount.textContent = words + (words === 1 ? " word" : " words"); }
    if (readingTime) { readingTime.textContent = minutes + (minutes === 1 ? " minute to read" : " minutes to read"); }
  }

  /* ---- Live preview: the server renders with the public renderer ---- */
  var previewTimer = null;
  var previewRequest = 0;
  function refreshPreview() {
    var number = ++previewRequest;
    var body = new FormData();
    body.append("body_source", text.value);
    previewPane.setAttribute("aria-busy", "true");
    post(editor.dataset.renderUrl, body, "text/html").then(function (response) {
      return response.ok ? response.text() : Promise.reject(response.status);
    }).then(function (html) {
      if (number === previewRequest) {
        var fresh = new DOMParser().parseFromString("<div>" + html + "</div>", "text/html").body.firstChild;
        preview.replaceChildren.apply(preview, Array.prototype.slice.call(fresh.childNodes));
      }
    }).catch(function () { /* keep the last preview */ }).finally(function () {
      previewPane.removeAttribute("aria-busy");
    });
  }
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 500);
  }

  /* ---- Autosave, with a copy on the device for flaky connections ---- */
  var dirty = false;
  var saving = null;
  var saveTimer = null;
  var retryDelay = 2000;
  var stopped = false;

  function setState(message, state) {
    saveState.textContent = message;
    if (state) { saveState.dataset.state = state; } else { delete saveState.dataset.state; }
  }
  function keepLocally() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({
        title: title.value, body: text.value, version: version.value, at: Date.now()
      }));
    } catch (error) { /* storage full or disabled: autosave still runs */ }
  }
  function forgetLocally() {
    try { localStorage.removeItem(storageKey); } catch (error) { /* nothing kept */ }
  }
  function autosave() {
    if (!dirty || saving || stopped || !canEdit) { return saving; }
    dirty = false;
    var body = new FormData(form);
    body.delete("action");
    setState(messages.saving);
    saving = post(editor.dataset.autosaveUrl, body).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      if (result.status === 200) {
        version.value = result.data.version;
        retryDelay = 2000;
        setState(messages.saved + result.data.saved_label);
        if (!dirty) { forgetLocally(); } else { keepLocally(); }
      } else if (result.status === 409) {
        stopped = true;
        setState(result.data.message || messages.conflict, "error");
      } else {
        dirty = true;
        setState(result.data.error || messages.offline, "error");
      }
    }).catch(function () {
      dirty = true;
      setState(messages.offline, "error");
      retryDelay = Math.min(retryDelay * 2, 60000);
      clearTimeout(saveTimer);
      saveTimer = setTimeout(autosave, retryDelay);
    }).finally(function () { saving = null; });
    return saving;
  }
  function changed() {
    dirty = true;
    keepLocally();
    updateFigures();
    schedulePreview();
    clearTimeout(saveTimer);
    saveTimer = setTimeout(autosave, 2500);
  }
  if (canEdit) {
    form.addEventListener("input", changed);
    window.addEventListener("online", function () { if (dirty) { autosave(); } });
    window.addEventListener("beforeunload", function (event) {
      if (dirty || saving) { event.preventDefault(); event.returnValue = ""; }
    });
    /* A button press waits for an autosave in flight, so it sends the newest version. */
    form.addEventListener("submit", function (event) {
      clearTimeout(saveTimer);
      if (saving) {
        event.preventDefault();
        var submitter = event.submitter;
        saving.then(function () { dirty = false; form.requestSubmit(submitter); });
        return;
      }
      dirty = false;
      forgetLocally();
    });
  }
  title.addEventListener("input", function () { previewTitle.textContent = title.value; });

  /* Offer back what the device kept but the server never got. */
  try {
    var kept = JSON.parse(localStorage.getItem(storageKey) || "null");
    if (kept && canEdit && kept.version === version.value && (kept.body !== text.value || kept.title !== title.value)) {
      var offer = document.createElement("div");
      offer.className = "notice";
      offer.setAttribute("role", "alert");
      var note = document.createElement("p");
      note.textContent = messages.restore;
      var restore = document.createElement("button");
      restore.type = "button";
      restore.textContent = messages.restoreButton;
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "button--quiet";
      discard.textContent = messages.discardButton;
      var row = document.createElement("p");
      row.className = "button-row";
      row.append(restore, discard);
      offer.append(note, row);
      form.before(offer);
      restore.addEventListener("click", function () {
        title.value = kept.title; text.value = kept.body; offer.remove(); changed();
      });
      discard.addEventListener("click", function () { forgetLocally(); offer.remove(); });
    } else if (kept && kept.version !== version.value) {
      forgetLocally();
    }
  } catch (error) { /* nothing kept */ }

  /* ---- Toolbar ---- */
  function replaceSelection(before, after, placeholder) {
    var start = text.selectionStart, end = text.selectionEnd;
    var selected = text.value.slice(start, end) || placeholder;
    text.setRangeText(before + selected + after, start, end, "end");
    text.setSelectionRange(start + before.length, start + before.length + selected.length);
    text.focus();
    changed();
  }
  function prefixLines(prefix) {
    var start = text.value.lastIndexOf("\n", text.selectionStart - 1) + 1;
    var end = text.selectionEnd;
    var lines = text.value.slice(start, end).split("\n").map(function (line) { return prefix + line; });
    text.setRangeText(lines.join("\n"), start, end, "end");
    text.focus();
    changed();
  }
  function insertBlock(block) {
    var start = text.selectionStart;
    var before = text.value.slice(0, start);
    var gap = before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
    text.setRangeText(gap + block + "\n\n", start, text.selectionEnd, "end");
    text.focus();
    changed();
  }
  var formats = {
    bold: function () { replaceSelection("**", "**", "bold words"); },
    italic: function () { replaceSelection("*", "*", "italic words"); },
    link: function () {
      var address = window.prompt("Link address (https://…)", "https://");
      if (address) { replaceSelection("[", "](" + address + ")", "linked words"); }
    },
    quote: function () { prefixLines("> "); },
    list: function () { prefixLines("- "); },
    heading: function () { prefixLines("## "); }
  };
  var toolbar = editor.querySelector("[data-toolbar]");
  if (toolbar && canEdit) {
    toolbar.hidden = false;
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) { return; }
      if (button.dataset.format) { formats[button.dataset.format](); }
      if (button.dataset.open) {
        var panel = document.getElementById(button.dataset.open);
        panel.open = true;
        panel.scrollIntoView({ block: "start" });
        var first = panel.querySelector("input, textarea, button");
        if (first) { first.focus(); }
      }
    });
  }
  editor.querySelectorAll("[data-insert]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { insertBlock(button.dataset.insert); });
  });

  /* ---- Upload a picture without leaving the editor ---- */
  var uploadForm = editor.querySelector("[data-upload-form]");
  if (uploadForm) {
    var uploadState = uploadForm.querySelector("[data-upload-state]");
    uploadState.textContent = "";
    uploadForm.addEventListener("submit", function (event) {
      event.preventDefault();
      uploadState.textContent = "Uploading…";
      post(uploadForm.action, new FormData(uploadForm)).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (result.ok) {
          insertBlock(result.data.markdown);
          uploadState.textContent = "Uploaded and inserted.";
          uploadForm.reset();
        } else {
          var errors = [];
          Object.keys(result.data.errors || {}).forEach(function (key) { errors = errors.concat(result.data.errors[key]); });
          uploadState.textContent = errors.join(" ") || "The picture was not uploaded.";
        }
      }).catch(function () { uploadState.textContent = "The picture was not uploaded: no connection."; });
    });
  }

  /* ---- Insert a video with its transcript ---- */
  var videoInsert = editor.querySelector("[data-video-insert]");
  if (videoInsert) {
    var videoButton = videoInsert.querySelector("[data-insert-video]");
    var videoState = videoInsert.querySelector("[data-video-state]");
    videoButton.hidden = false;
    videoButton.addEventListener("click", function () {
      var url = videoInsert.querySelector("#video-url").value.trim();
      var videoTitle = videoInsert.querySelector("#video-title").value.trim();
      var transcript = videoInsert.querySelector("#video-transcript").value.trim();
      if (!url || !transcript) {
        videoState.textContent = "Give the video's address and its transcript.";
        return;
      }
      var fence = "```";
      while (transcript.indexOf(fence) !== -1) { fence += "`"; }
      insertBlock(fence + "video\n" + url + (videoTitle ? "\ntitle: " + videoTitle : "") + "\n\n" + transcript + "\n" + fence);
      videoState.textContent = "Inserted.";
    });
  }

  /* ---- Tabs on phones: write, or see the preview ---- */
  var panes = editor.querySelector("[data-panes]");
  if (panes) {
    var tabs = document.createElement("div");
    tabs.className = "editor-tabs";
    tabs.setAttribute("role", "tablist");
    tabs.setAttribute("aria-label", "Editor");
    var paneList = panes.querySelectorAll("[data-pane]");
    paneList.forEach(function (pane, index) {
      var tab = document.createElement("button");
      tab.type = "button";
      tab.id = "tab-" + pane.dataset.pane;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", pane.id);
      tab.textContent = pane.dataset.pane === "write" ? "Write" : "Preview";
      pane.setAttribute("role", "tabpanel");
      pane.setAttribute("aria-labelledby", tab.id);
      tab.addEventListener("click", function () { select(index); });
      tabs.append(tab);
    });
    function select(chosen) {
      paneList.forEach(function (pane, index) {
        pane.hidden = index !== chosen;
        tabs.children[index].setAttribute("aria-selected", String(index === chosen));
        tabs.children[index].tabIndex = index === chosen ? 0 : -1;
      });
      if (chosen === 1) { refreshPreview(); }
    }
    tabs.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        var next = tabs.querySelector("[aria-selected=true]") === tabs.children[0] ? 1 : 0;
        select(next);
        tabs.children[next].focus();
      }
    });
    panes.before(tabs);
    editor.classList.add("editor--tabs");
    select(0);
  }

  /* ---- Publish now, or schedule when a time is chosen ---- */
  var publishButton = editor.querySelector("[data-publish-button]");
  var publishAt = form.querySelector("input[name=publish_at]");
  if (publishButton && publishAt) {
    publishAt.addEventListener("input", function () {
      publishButton.textContent = publishAt.value ? publishButton.dataset.labelLater : publishButton.dataset.labelNow;
    });
  }

  /* ---- Tag suggestions for the tag being typed ---- */
  var tagsField = form.querySelector("input[name=tags]");
  var tagList = document.getElementById("tag-suggestions");
  var tagTimer = null;
  if (tagsField && tagList) {
    tagsField.addEventListener("input", function () {
      clearTimeout(tagTimer);
      tagTimer = setTimeout(function () {
        var parts = tagsField.value.split(",");
        var typing = parts.pop().trim();
        var done = parts.map(function (part) { return part.trim(); }).filter(Boolean);
        if (!typing) { return; }
        fetch(editor.dataset.tagsUrl + "?q=" + encodeURIComponent(typing), { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            tagList.replaceChildren();
            data.tags.forEach(function (name) {
              var option = document.createElement("option");
              option.value = done.concat([name]).join(", ");
              tagList.append(option);
            });
          }).catch(function () { /* suggestions are a nicety */ });
      }, 250);
    });
  }

  updateFigures();
})();

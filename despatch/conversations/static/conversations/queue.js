// Moderation queue shortcuts. Everything works without this file; it only adds
// "tick all", and J / K / X to move between comments and tick the current one.
(function () {
  "use strict";
  var form = document.getElementById("moderation-form");
  if (!form) { return; }
  var items = Array.prototype.slice.call(form.querySelectorAll(".moderation-item"));
  var boxes = form.querySelectorAll("input[name='selected']");
  var selectAll = document.getElementById("select-all");
  if (selectAll) {
    selectAll.parentElement.hidden = false;
    selectAll.addEventListener("change", function () {
      Array.prototype.forEach.call(boxes, function (box) { box.checked = selectAll.checked; });
    });
  }
  var current = -1;
  function focusItem(index) {
    if (index < 0 || index >= items.length) { return; }
    current = index;
    items[index].focus();
    items[index].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName) && target.type !== "checkbox") { return; }
    var key = event.key.toLowerCase();
    if (key === "j") { focusItem(current + 1); event.preventDefault(); }
    else if (key === "k") { focusItem(current - 1); event.preventDefault(); }
    else if (key === "x" && current >= 0) {
      var box = items[current].querySelector("input[name='selected']");
      if (box) { box.checked = !box.checked; }
      event.preventDefault();
    }
  });
  items.forEach(function (item, index) {
    item.addEventListener("focusin", function () { current = index; });
  });
}());

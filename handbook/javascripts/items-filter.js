/* 赋权事项目录: filter the catalogue table by volume, kind and keyword.
   The table is complete without script; with it, the filter bar (hidden in
   the HTML) appears and hides the rows that do not match. Rows are matched
   on their cells' text: the volume and kind columns exactly, the keyword
   anywhere in the row. */
(function () {
  "use strict";
  function setUp() {
    var bar = document.querySelector(".zj-item-filter");
    var table = document.querySelector(".zj-items table");
    if (!bar || !table) return;
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var volume = bar.querySelector('[data-filter="volume"]');
    var kind = bar.querySelector('[data-filter="kind"]');
    var text = bar.querySelector('[data-filter="text"]');
    var count = bar.querySelector(".zj-item-count");
    function cell(row, n) { return (row.cells[n] && row.cells[n].textContent || "").trim(); }
    function apply() {
      var v = volume.value ? volume.options[volume.selectedIndex].text : "";
      var k = kind.value || (kind.selectedIndex > 0 ? kind.options[kind.selectedIndex].text : "");
      var words = text.value.trim().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var all = row.textContent;
        var ok = (!v || cell(row, 2) === v) && (!k || cell(row, 1) === k) &&
          words.every(function (w) { return all.indexOf(w) >= 0; });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = "显示 " + shown + " / " + rows.length + " 个事项";
    }
    [volume, kind].forEach(function (el) { el.addEventListener("change", apply); });
    text.addEventListener("input", apply);
    bar.hidden = false;
    apply();
  }
  /* The county's confirmed list (the platform's /api/items/delegated, for a
     logged-in reader): catalogue rows and item pages of items the county did
     not delegate are greyed and say so, and the catalogue says which list it
     follows. A visitor gets {list: null} (a 200, as /api/whoami), and so does
     everyone while no list is confirmed: nothing changes. */
  function note(found) {
    var table = document.querySelector(".zj-items");
    if (!table || document.querySelector(".zj-county-note")) return;
    var p = document.createElement("p");
    p.className = "zj-item-status zj-county-note";
    p.setAttribute("title", found.list);
    p.appendChild(document.createTextNode("已按本县赋权事项清单"));
    if (found.confirmed) {
      var day = document.createElement("span");      // the date on one line on a phone
      day.style.whiteSpace = "nowrap";
      day.textContent = "（确认于 " + found.confirmed + "）";
      p.appendChild(day);
    }
    p.appendChild(document.createTextNode("标注：灰色为本县未下放"));
    var bar = document.querySelector(".zj-item-filter");
    var before = bar && bar.parentNode === table.parentNode ? bar : table;
    before.parentNode.insertBefore(p, before);
  }
  function county() {
    var rows = document.querySelectorAll(".zj-items tbody tr");
    var status = document.querySelector(".zj-item-status[data-item]");
    if ((!rows.length && !status) || !window.fetch) return;
    fetch("/api/items/delegated", {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (found) {
        if (!found || !found.list || !found.ids) return;
        var ids = {};
        found.ids.forEach(function (id) { ids[id] = true; });
        if (rows.length) note(found);
        Array.prototype.forEach.call(rows, function (row) {
          var link = row.querySelector("a[href*='/items/']");
          var m = link && link.getAttribute("href").match(/(v\d-sx-\d{3})/);
          if (m && !ids[m[1]] && !row.classList.contains("zj-not-delegated")) {
            row.classList.add("zj-not-delegated");
            link.insertAdjacentText("afterend", "（本县未下放）");
          }
        });
        if (status) {
          var id = status.getAttribute("data-item");
          status.textContent = ids[id] ? "本县现行清单“" + found.list + "”列有本事项。"
                                       : "本县现行清单“" + found.list + "”未列入本事项：本县镇街不行使此项职权，发现线索应移交原行使部门。";
          status.classList.add(ids[id] ? "zj-delegated" : "zj-not-delegated");
          status.hidden = false;
        }
      })
      .catch(function () { /* offline or no platform: the page stays as built */ });
  }
  function start() { setUp(); county(); }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(start);          // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();

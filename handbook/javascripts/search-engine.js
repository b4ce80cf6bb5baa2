/* The handbook's search, loaded by javascripts/search.js when the box opens.
 *
 * A query is cut into the index's terms exactly as quizapp/content/search.py
 * cuts the pages (each pair of adjacent Chinese characters, each Latin or digit
 * word); each term's shard is fetched (search/<root>/t/<fnv1a(term) mod n>.json),
 * the sections are scored (BM25 parts stored at build, summed here, times the
 * square of the share of the query's terms a section has), each page shown once
 * with its best section, and only the shown sections' rows fetched. A query
 * naming a statute and an article ("行政处罚法第五十一条", "处罚法51条") is
 * looked up in search/statutes.json and offered first; Enter opens the first.
 */
(function () {
  "use strict";
  var base = new URL("search/", new URL("..", document.currentScript.src));
  var PAGE = 8;
  var dialog = document.querySelector("[data-search-dialog]");
  var input = dialog.querySelector("input[name=query]");
  var status = dialog.querySelector("[data-search-status]");
  var list = dialog.querySelector("[data-search-results]");
  var more = dialog.querySelector("[data-search-more]");
  var cache = {}, lastQuery = null, generation = 0, timer = null, pending = Promise.resolve();
  var ranked = [], shown = 0, meta = null, words = [];

  var CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  var LATIN = /[a-z0-9]+/g;

  function terms(text) {
    text = text.normalize("NFKC").toLowerCase();
    var out = [];
    (text.match(CJK) || []).forEach(function (run) {
      if (run.length === 1) { out.push(run); return; }
      for (var i = 0; i < run.length - 1; i++) out.push(run.slice(i, i + 2));
    });
    return out.concat(text.match(LATIN) || []);
  }

  function fnv1a(term) {
    var h = 0x811c9dc5;
    for (var ch of term) { h ^= ch.codePointAt(0); h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }

  function getJSON(path) {
    if (!cache[path]) {
      cache[path] = fetch(new URL(path, base)).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return r.json();
      });
      cache[path].catch(function () { delete cache[path]; });
    }
    return cache[path];
  }

  function pageOf(doc) {                       /* the page whose sections include doc */
    var starts = meta.pageStarts, lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= doc) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /* [doc, …] best first, one per page; the sections with every term of the query,
   * or, when none has them all, at least half (search.py's rank() computes the same). */
  function rank(wanted) {
    return Promise.all(wanted.map(function (t) {
      return getJSON(meta.root + "t/" + (fnv1a(t) % meta.termShards) + ".json");
    })).then(function (shards) {
      var scores = {}, matched = {};
      wanted.forEach(function (t, i) {
        var flat = shards[i][t] || [], df = flat.length / 2;
        var idf = Math.log(1 + (meta.docs - df + 0.5) / (df + 0.5)), doc = 0;
        for (var j = 0; j < flat.length; j += 2) {
          doc += flat[j];
          scores[doc] = (scores[doc] || 0) + idf * flat[j + 1] / meta.scale;
          matched[doc] = (matched[doc] || 0) + 1;
        }
      });
      var best = {}, all = Object.keys(scores).map(Number);
      var floor = all.some(function (d) { return matched[d] === wanted.length; }) ? wanted.length : wanted.length / 2;
      all.sort(function (a, b) { return a - b; }).forEach(function (doc) {
        if (matched[doc] < floor) return;
        var share = matched[doc] / wanted.length, score = scores[doc] * share * share, page = pageOf(doc);
        if (!(page in best) || score > best[page][0]) best[page] = [score, doc];
      });
      return Object.keys(best).map(function (p) { return best[p]; })
        .sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; })
        .map(function (x) { return x[1]; });
    });
  }

  /* The snippet's text with the query's words marked (text nodes only). */
  function marked(text) {
    var span = document.createElement("span");
    span.className = "zj-search__excerpt";
    if (!words.length) { span.textContent = text; return span; }
    var pattern = new RegExp(words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|"), "gi");
    var at = 0, m;
    while ((m = pattern.exec(text))) {
      span.appendChild(document.createTextNode(text.slice(at, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      span.appendChild(mark);
      at = m.index + m[0].length;
    }
    span.appendChild(document.createTextNode(text.slice(at)));
    return span;
  }

  function entry(href, where, title, snippet) {
    var li = document.createElement("li"), a = document.createElement("a");
    a.className = "zj-search__result";
    a.href = href;
    var w = document.createElement("span");
    w.className = "zj-search__where";
    w.textContent = where;
    var t = document.createElement("span");
    t.className = "zj-search__title";
    t.textContent = title;
    a.appendChild(w);
    a.appendChild(t);
    if (snippet) a.appendChild(marked(snippet));
    li.appendChild(a);
    list.appendChild(li);
    return a;
  }

  function showMore(mine) {
    var docs = ranked.slice(shown, shown + PAGE);
    shown += docs.length;
    return Promise.all(docs.map(function (doc) {
      return getJSON(meta.root + "d/" + Math.floor(doc / meta.docShard) + ".json").then(function (rows) {
        return rows[doc % meta.docShard];
      });
    })).then(function (rows) {
      if (mine !== generation) return;
      rows.forEach(function (r) {     /* [url, page title, heading, 第一卷 · 工作指南, snippet] */
        entry(r[0], r[3], r[2] ? r[1] + " › " + r[2] : r[1], r[4]);
      });
      more.hidden = shown >= ranked.length;
    });
  }

  var DIGITS = { "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9 };
  var UNITS = { "十": 10, "百": 100, "千": 1000 };
  var ARTICLE = /^(.*?)第?([零〇一二两三四五六七八九十百千\d]+)条(?:之([一二三四五六七八九十\d]+))?/;

  function cnInt(text) {
    if (/^\d+$/.test(text)) return parseInt(text, 10);
    var total = 0, n = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      if (c in DIGITS) { n = DIGITS[c]; continue; }
      total += (n === 0 && c === "十" ? 1 : n) * UNITS[c];
      n = 0;
    }
    return total + n;
  }

  function plainName(name) {
    return name.replace(/[《》〈〉\s]/g, "").replace(/^中华人民共和国/, "");
  }

  /* {name, url, label} of the article a query names, or null. The statute is the
   * one whose name equals the query's, else the shortest name that contains it
   * (处罚法 -> 行政处罚法 before 治安管理处罚法). */
  function articleOf(query, table) {
    var m = ARTICLE.exec(query.replace(/\s/g, ""));
    if (!m || !m[1]) return null;
    var want = plainName(m[1]), best = null, bestExtra = Infinity;
    table.forEach(function (statute) {
      statute.names.forEach(function (name) {
        var plain = plainName(name);
        if (plain.indexOf(want) === -1) return;
        var extra = plain.length - want.length;
        if (extra < bestExtra) { best = statute; bestExtra = extra; }
      });
    });
    if (!best) return null;
    var number = cnInt(m[2]);
    var sub = m[3] ? (/^\d+$/.test(m[3]) ? parseInt(m[3], 10) : cnInt(m[3])) : 0;
    var label = "第" + toCn(number) + "条" + (sub ? "之" + toCn(sub) : "");
    if (!articleExists(best, String(number) + (sub ? "之" + toCn(sub) : ""), number)) {
      return { statute: best, missing: label };
    }
    var short = plainName(best.names[best.names.length - 1]);
    return { statute: best, url: best.url + "#art-" + number + (sub ? "-" + sub : ""),
             label: "《" + short + "》（" + best.version + "）" + label };
  }

  function toCn(n) {
    var d = "零一二三四五六七八九", h = Math.floor(n / 100), t = Math.floor(n % 100 / 10), u = n % 10, s = "";
    if (h) { s += d[h] + "百"; if (!t && u) s += "零"; }
    if (t) s += (t === 1 && !h ? "" : d[t]) + "十";
    if (u) s += d[u];
    return s || "零";
  }

  function articleExists(statute, key, number) {
    return (number >= 1 && number <= statute.last && key.indexOf("之") === -1) || statute.extra.indexOf(key) !== -1;
  }

  function run(query) {
    query = query.trim();
    if (query === lastQuery) return pending;
    lastQuery = query;
    var mine = ++generation;
    list.textContent = "";
    more.hidden = true;
    ranked = [];
    shown = 0;
    var wanted = Array.from(new Set(terms(query)));
    words = (query.normalize("NFKC").match(/[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}|[a-z0-9]+/gi) || [])
      .sort(function (a, b) { return b.length - a.length; });
    dialog.removeAttribute("data-done");
    if (!query) { status.textContent = ""; return (pending = Promise.resolve()); }
    if (!wanted.length || (wanted.length === 1 && wanted[0].length === 1 && !/[a-z0-9]/.test(wanted[0]))) {
      status.textContent = "请至少输入两个字";
      dialog.setAttribute("data-done", query);
      return (pending = Promise.resolve());
    }
    status.textContent = "正在搜索…";
    var lookup = ARTICLE.test(query) ? getJSON("statutes.json") : Promise.resolve(null);
    pending = Promise.all([getJSON("meta.json"), lookup]).then(function (both) {
      meta = both[0];
      var hit = both[1] ? articleOf(query, both[1]) : null;
      return rank(wanted).then(function (docs) {
        if (mine !== generation) return;
        ranked = docs;
        if (hit && hit.url) entry(hit.url, "法条", hit.label + " — 打开条文", "").setAttribute("data-article", "");
        var note = hit && hit.missing ? "（该法规中没有" + hit.missing + "）" : "";
        status.textContent = docs.length ? "找到 " + docs.length + " 个页面" + note
                                         : "没有找到相关内容" + note + "：请换用更短或更常用的词语";
        return showMore(mine).then(function () {
          if (mine === generation) dialog.setAttribute("data-done", query);   /* the results of this query are shown */
        });
      });
    }).catch(function () {
      if (mine === generation) { status.textContent = "搜索暂不可用：请检查网络后重试"; lastQuery = null; }
    });
    return pending;
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { run(input.value); }, 200);
  });
  dialog.querySelector("[data-search-form]").addEventListener("submit", function (e) {
    e.preventDefault();
    clearTimeout(timer);
    run(input.value).then(function () {
      var first = list.querySelector("a");
      if (first) location.href = first.href;
    });
  });
  input.addEventListener("keydown", function (e) {       /* a search field's Escape would only clear it */
    if (e.key === "Escape") { e.preventDefault(); dialog.close(); }
  });
  dialog.querySelector("[data-search-close]").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("click", function (e) { if (e.target === dialog) dialog.close(); });
  more.addEventListener("click", function () { showMore(generation); });

  window.zjSearch = {
    open: function (query) {
      if (!dialog.open) dialog.showModal();
      if (typeof query === "string") input.value = query;
      input.focus();
      if (input.value) { lastQuery = null; run(input.value); }
    },
  };
})();

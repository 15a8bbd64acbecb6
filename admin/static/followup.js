// The follow-up form's live classification: as the doctor types, the form is sent to the
// console's preview endpoint (the same followup.classify the save uses) and the class, the
// actions and the next date are shown. Nothing is stored; the page works without it.
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function render(target, view) {
    target.textContent = "";
    var next = el("p", null, "下次随访日期：");
    var date = el("strong", "next-date", view.next_followup_on);
    date.setAttribute("data-next-date", "");
    next.appendChild(date);
    if (view.urgent_referral) { next.appendChild(el("span", "badge badge-urgent", "需要紧急转诊")); }
    target.appendChild(next);
    view.outcomes.forEach(function (o) {
      var box = el("div", "panel");
      var head = el("h3", null, o.programme + "：");
      var cls = el("span", "followup-class", o.class_name);
      cls.setAttribute("data-class", o.follow_up_class);
      head.appendChild(cls);
      if (o.referral) { head.appendChild(el("span", "badge badge-urgent", o.referral)); }
      box.appendChild(head);
      o.emergencies.forEach(function (e) { box.appendChild(el("p", "red-flag-line", "危急情况：" + e)); });
      var list = el("ul");
      o.actions.forEach(function (d) {
        var item = el("li", null, d.says);
        if (d.basis.length) { item.appendChild(el("span", "small muted", "（依据：" + d.basis.join("；") + "）")); }
        list.appendChild(item);
      });
      box.appendChild(list);
      box.appendChild(el("p", "small muted", "本项下次随访：" + o.next_followup_on + " · " + o.source));
      target.appendChild(box);
    });
  }

  function livePreview() {
    var form = document.getElementById("followup-form");
    if (!form || !window.fetch) { return; }
    var target = document.getElementById("live-result");
    var error = document.getElementById("live-error");
    var timer = null;
    var sent = 0;

    function send() {
      var ticket = ++sent;
      var body = new URLSearchParams(new FormData(form));
      fetch(form.dataset.previewUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": form.elements.csrf_token.value, "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (answer) {
        if (ticket !== sent) { return; }  // an older answer arrived after a newer question
        if (answer.ok) {
          error.hidden = true;
          render(target, answer.data);
        } else {
          target.textContent = "";
          error.textContent = answer.data.error;
          error.hidden = false;
        }
      }).catch(function () {
        if (ticket !== sent) { return; }
        error.textContent = "暂时无法计算，保存时仍会按规范判断。";
        error.hidden = false;
      });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(send, 300);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  document.addEventListener("DOMContentLoaded", livePreview);
}());

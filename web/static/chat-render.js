/* Drawing the bot's messages for the chat widget (chat.js): text, quick replies, links,
 * cards, lists, images — as the channel returns them (docs/rich-responses.md).
 *
 * Sotong.chatRender(texts, onChoice) → {el, botMessage, isChoice}. Everything is built
 * with createElement/textContent (never innerHTML); links must be http(s), a same-origin
 * path or tel:. A tapped choice calls onChoice(title, payload).
 */
(function () {
  "use strict";

  var Sotong = (window.Sotong = window.Sotong || {});

  Sotong.chatRender = function (texts, onChoice) {
    function el(tag, cls, text) {
      var node = document.createElement(tag);
      if (cls) node.className = cls;
      if (text !== undefined && text !== null) node.textContent = String(text);
      return node;
    }


    function webUrl(value) {
      if (typeof value !== "string") return null;
      value = value.trim();
      if (/^https?:\/\//i.test(value) || (value.charAt(0) === "/" && value.charAt(1) !== "/")) return value;
      return null;
    }

    function phone(value) {
      if (typeof value !== "string") return null;
      var number = value.trim().replace(/^tel:/i, "");
      return /^[0-9+\-() ]{3,20}$/.test(number) ? number.replace(/[^0-9+]/g, "") : null;
    }

    /* A bot text with its phone numbers and web addresses made tappable (text nodes only, never HTML). */
    var LINKS = /(https?:\/\/[^\s<>"')]+)|((?:0\d{1,2}-\d{3,4}-\d{4}|1[5-9]\d{2}-\d{4})(?![\d-]))/g;
    function richText(node, text) {
      var last = 0;
      text.replace(LINKS, function (match, url, number, offset) {
        if (number && offset > 0 && /[\d-]/.test(text.charAt(offset - 1))) return match;
        node.appendChild(document.createTextNode(text.slice(last, offset)));
        var a = el("a", url ? "text-link" : "text-link text-phone", match);
        a.href = url ? match : "tel:" + match.replace(/-/g, "");
        if (url) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
        node.appendChild(a);
        last = offset + match.length;
        return match;
      });
      node.appendChild(document.createTextNode(text.slice(last)));
      return node;
    }


    function linkButton(title, url) {
      var a = el("a", "link-button", title || texts.link);
      a.href = url;
      if (/^https?:/i.test(url)) {
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        a.setAttribute("aria-label", (title || texts.link) + " (" + texts.newWindow + ")");
      }
      return a;
    }

    function phoneButton(title, number) {
      var a = el("a", "link-button link-phone", title || texts.call);
      a.href = "tel:" + number;
      return a;
    }

    function choiceButton(title, payload) {
      var b = el("button", "quick-reply", title);
      b.type = "button";
      b.addEventListener("click", function () {
        onChoice(title, payload && payload !== title ? payload : undefined);
      });
      return b;
    }

    /* A Rasa button or a convention button ({title, url|phone|payload}) → a link, a call or a choice. */
    function button(spec) {
      if (!spec || typeof spec !== "object") return null;
      var title = typeof spec.title === "string" ? spec.title.trim() : "";
      var payload = typeof spec.payload === "string" ? spec.payload.trim() : "";
      var url = webUrl(spec.url) || (/^https?:/i.test(payload) ? webUrl(payload) : null);
      if (url) return linkButton(title, url);
      var number = phone(spec.phone) || (/^tel:/i.test(payload) ? phone(payload) : null);
      if (number) return phoneButton(title, number);
      if (!title) return null;
      return choiceButton(title, payload || title);
    }

    function addButtons(container, specs) {
      var choices = el("div", "quick-replies");
      choices.setAttribute("role", "group");
      choices.setAttribute("aria-label", texts.choices);
      var links = el("div", "link-buttons");
      (specs || []).forEach(function (spec) {
        var node = button(spec);
        if (node) (node.tagName === "BUTTON" ? choices : links).appendChild(node);
      });
      if (links.childNodes.length) container.appendChild(links);
      if (choices.childNodes.length) container.appendChild(choices);
    }

    function image(url, alt) {
      var img = el("img", "chat-image");
      img.src = url;
      img.alt = alt || texts.image;
      img.loading = "lazy";
      img.decoding = "async";
      return img;
    }

    function card(spec) {
      if (!spec || typeof spec !== "object") return null;
      var node = el("div", "card");
      var src = webUrl(spec.image_url || spec.image);
      if (src) node.appendChild(image(src, spec.title));
      if (spec.title) node.appendChild(el("p", "card-title", spec.title));
      if (spec.description) node.appendChild(el("p", "card-text", spec.description));
      addButtons(node, spec.buttons);
      return node;
    }

    function list(spec) {
      if (!spec || typeof spec !== "object") return null;
      var node = el("div", "card card-list");
      if (spec.header) node.appendChild(el("p", "card-title", spec.header));
      var ul = el("ul", "card-items");
      (spec.items || []).forEach(function (item) {
        if (!item || !item.title) return;
        var li = el("li");
        var url = webUrl(item.url);
        var head = url ? linkButton(item.title, url) : item.payload ? choiceButton(item.title, item.payload) : el("span", "card-item-title", item.title);
        li.appendChild(head);
        if (item.description) li.appendChild(el("p", "card-text", item.description));
        ul.appendChild(li);
      });
      node.appendChild(ul);
      addButtons(node, spec.buttons);
      return node;
    }

    function custom(container, data) {
      if (!data || typeof data !== "object") return;
      var drawn = false;
      var one = card(data.card);
      if (one) { container.appendChild(one); drawn = true; }
      if (Array.isArray(data.cards) && data.cards.length) {
        var row = el("div", "card-row");
        data.cards.forEach(function (spec) {
          var c = card(spec);
          if (c) row.appendChild(c);
        });
        container.appendChild(row);
        drawn = true;
      }
      var l = list(data.list);
      if (l) { container.appendChild(l); drawn = true; }
      var pic = data.image && webUrl(typeof data.image === "string" ? data.image : data.image.url);
      if (pic) { container.appendChild(image(pic, data.image.alt)); drawn = true; }
      if (!drawn && typeof data.text === "string" && data.text.trim()) {
        container.appendChild(el("p", "bubble bubble-bot", data.text));
      }
    }

    function botMessage(m) {
      var wrap = el("div", "msg msg-bot");
      var who = el("span", "visually-hidden", texts.bot + ": ");
      wrap.appendChild(who);
      if (typeof m.text === "string" && m.text.trim()) wrap.appendChild(richText(el("p", "bubble bubble-bot"), m.text));
      var src = webUrl(m.image);
      if (src) wrap.appendChild(image(src));
      if (m.attachment) {
        var aurl = webUrl(typeof m.attachment === "string" ? m.attachment : m.attachment.url || (m.attachment.payload || {}).src);
        if (aurl) addButtons(wrap, [{ title: texts.link, url: aurl }]);
      }
      if (m.custom) custom(wrap, m.custom);
      if (m.buttons) addButtons(wrap, m.buttons);
      return wrap.childNodes.length > 1 ? wrap : null;
    }


    function isChoice(spec) {
      var node = button(spec);
      return !!node && node.tagName === "BUTTON";
    }

    return { el: el, botMessage: botMessage, isChoice: isChoice };
  };
})();

/*
 * Chat widget for the cryotherapy assistant: one <script> tag on a clinic's page.
 *   <script src="https://ASSISTANT/webhooks/widget/widget.js" data-title="Ask about cryotherapy"
 *           data-color="#0b5cad" async></script>
 * Everything is built with DOM methods and textContent: no message is ever parsed as HTML.
 */
(function () {
  "use strict";
  if (window.__cryoChatLoaded) { return; }
  window.__cryoChatLoaded = true;

  var script = document.currentScript || document.querySelector("script[src*='/webhooks/widget/widget.js']");
  var base = new URL(script.src, window.location.href);
  var endpoint = base.origin + "/webhooks/widget/webhook";
  var title = script.getAttribute("data-title") || "Ask about cryotherapy";
  // The clinic's emergency number, written in by the server that serves this file.
  var EMERGENCY_NUMBER = "__EMERGENCY_NUMBER__";
  var accent = script.getAttribute("data-color") || "";
  var STORE = "cryoChat:" + base.origin;
  var URL_PATTERN = /(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)])/g;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(STORE)) || null; } catch (e) { return null; }
  }
  function save() {
    try { window.localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* storage full or blocked */ }
  }
  function newSender() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var state = load() || { sender: newSender(), history: [], open: false, greeted: false };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // Text with web links made clickable; every piece goes in as text, never as HTML.
  function appendLinkified(parent, text) {
    var last = 0;
    text.replace(URL_PATTERN, function (match, url, offset) {
      if (offset > last) { parent.appendChild(document.createTextNode(text.slice(last, offset))); }
      var link = el("a", null, url);
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      parent.appendChild(link);
      last = offset + url.length;
      return match;
    });
    if (last < text.length) { parent.appendChild(document.createTextNode(text.slice(last))); }
  }

  // ---- the DOM -----------------------------------------------------------
  var root = el("div", "cryo-chat");
  if (/^#[0-9a-fA-F]{3,8}$/.test(accent)) { root.style.setProperty("--cryo-accent", accent); }
  var launcher = el("button", "cryo-chat__launcher", title);
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "cryo-chat-panel");

  var panel = el("section", "cryo-chat__panel");
  panel.id = "cryo-chat-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);

  var header = el("div", "cryo-chat__header");
  var heading = el("h2", "cryo-chat__title", title);
  var restart = el("button", "cryo-chat__restart", "Start over");
  restart.type = "button";
  var close = el("button", "cryo-chat__close", "Close");
  close.type = "button";
  close.setAttribute("aria-label", "Close chat");
  header.appendChild(heading);
  header.appendChild(restart);
  header.appendChild(close);

  var notice = el("p", "cryo-chat__notice",
    "General information, not medical advice. In an emergency, call your local emergency number.");
  var log = el("div", "cryo-chat__log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", "Conversation");
  var typing = el("div", "cryo-chat__typing", "The assistant is typing…");
  typing.hidden = true;

  var form = el("form", "cryo-chat__form");
  var label = el("label", "cryo-chat__sr", "Your message");
  label.setAttribute("for", "cryo-chat-input");
  var input = el("input");
  input.id = "cryo-chat-input";
  input.type = "text";
  input.autocomplete = "off";
  input.maxLength = 1000;
  input.placeholder = "Type your question…";
  var send = el("button", null, "Send");
  send.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);

  panel.appendChild(header);
  panel.appendChild(notice);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(launcher);

  // ---- rendering ---------------------------------------------------------
  function renderMessage(entry) {
    if (entry.buttons && entry.buttons.length) {
      var choices = el("div", "cryo-chat__choices");
      choices.setAttribute("role", "group");
      choices.setAttribute("aria-label", "Quick replies");
      if (entry.text) { log.appendChild(messageBubble("bot", entry.text)); }
      entry.buttons.forEach(function (button) {
        var choice = el("button", null, String(button.title || button.payload || ""));
        choice.type = "button";
        choice.addEventListener("click", function () {
          entry.buttons = [];
          save();
          choices.remove();
          input.focus();  // the used buttons are gone: keep keyboard users in the conversation
          sendMessage(String(button.payload || button.title), String(button.title || button.payload));
        });
        choices.appendChild(choice);
      });
      log.appendChild(choices);
      return;
    }
    log.appendChild(messageBubble(entry.from, entry.text));
  }

  function messageBubble(from, text) {
    var bubble = el("div", "cryo-chat__msg cryo-chat__msg--" + from);
    var who = el("span", "cryo-chat__sr", from === "user" ? "You said: " : "Assistant: ");
    bubble.appendChild(who);
    appendLinkified(bubble, String(text || ""));
    return bubble;
  }

  function add(entry) {
    state.history.push(entry);
    save();
    renderMessage(entry);
    log.scrollTop = log.scrollHeight;
  }

  function renderAll() {
    while (log.firstChild) { log.removeChild(log.firstChild); }
    state.history.forEach(renderMessage);
    log.scrollTop = log.scrollHeight;
  }

  // ---- talking to the assistant -------------------------------------------
  // Messages go out one at a time, in order; one typed while waiting is queued, not lost.
  var queue = Promise.resolve();
  var pending = 0;
  function setPending(delta) {
    pending += delta;
    typing.hidden = pending === 0;
  }

  function post(message) {
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: message })
    }).then(function (response) {
      return response.json().then(function (body) {
        // A 429 (too many messages) carries a chat message of its own: show it.
        if (!response.ok && !(response.status === 429 && Array.isArray(body))) {
          throw new Error(body && body.error ? body.error : "HTTP " + response.status);
        }
        return body;
      });
    }).then(function (replies) {
      (replies || []).forEach(function (reply) {
        if (reply.custom && reply.custom.conversation_deleted) {
          forgetConversation();
        } else if (reply.text || (reply.buttons && reply.buttons.length)) {
          add({ from: "bot", text: reply.text || "", buttons: reply.buttons || [] });
        }
      });
    }).catch(function () {
      add({ from: "bot", text: "Sorry, I can't reach the assistant right now. Please try again in a moment. " +
        "If this is an emergency, call " + EMERGENCY_NUMBER + " now." });
    });
  }

  // After "delete my data": keep only the confirmation, and talk as a new visitor from now on.
  function forgetConversation() {
    var confirmation = state.history[state.history.length - 1];
    state = { sender: newSender(), history: confirmation ? [confirmation] : [], open: true, greeted: true };
    save();
    renderAll();
  }

  function sendMessage(message, shown) {
    if (shown) { add({ from: "user", text: shown }); }
    setPending(1);
    queue = queue.then(function () { return post(message); }).then(function () { setPending(-1); });
    return queue;
  }

  function openPanel() {
    panel.hidden = false;
    root.classList.add("cryo-chat--open");
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    state.open = true;
    save();
    input.focus();
    if (!state.greeted) {
      state.greeted = true;
      save();
      sendMessage("/greet");
    }
  }

  function closePanel() {
    panel.hidden = true;
    root.classList.remove("cryo-chat--open");
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    save();
    launcher.focus();
  }

  launcher.addEventListener("click", openPanel);
  close.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closePanel(); }
  });
  restart.addEventListener("click", function () {
    state = { sender: newSender(), history: [], open: true, greeted: true };
    save();
    renderAll();
    input.focus();
    sendMessage("/greet");
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    sendMessage(text, text);
  });

  function mount() {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = base.origin + "/webhooks/widget/widget.css";
    document.head.appendChild(link);
    document.body.appendChild(root);
    renderAll();
    if (state.open) {
      panel.hidden = false;
      root.classList.add("cryo-chat--open");
      launcher.hidden = true;
      launcher.setAttribute("aria-expanded", "true");
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
}());

/*
 * Seshat chat widget. Copyright the Seshat authors; BSD-3-Clause.
 *
 * Turns every element with class "seshat-chat" into a chat box that talks
 * to the Seshat routes (see the README's HTTP contract):
 *
 *   <div class="seshat-chat" data-seshat-base="/chat" hidden></div>
 *
 * data-seshat-base   where the routes are mounted (default "/chat")
 * data-seshat-socket where the WebSocket is mounted (such as "/wc/connect"):
 *                    replies are then pushed over a WebSocket instead of
 *                    long-polled. Without it, in a browser without
 *                    WebSocket, or when the first socket cannot be opened
 *                    (a proxy that refuses upgrades), the box long-polls.
 *                    Lines are sent with POST either way, so that each one
 *                    is confirmed or retried.
 * data-seshat-check-seconds  how often to ask whether staff are available
 *                    while nobody is chatting (default 30)
 *
 * A box that starts "hidden" shows itself once staff are available, and
 * hides again while nobody is, as long as the visitor has written nothing
 * in it; one without "hidden" (the GET /chat page's) is always shown. The
 * status line says whether anyone is available. Either way the visitor's
 * first line starts the chat.
 *
 * Boxes added to the page later: $(element).seshatChat().
 *
 * Message text is only ever inserted with .text(), never as HTML.
 */
(function ($) {
  "use strict";

  /* Server-side long poll length; the server caps it at 30 s. */
  var POLL_WAIT_SECONDS = 25;
  /* Client-side deadline for one request: a little over the poll. */
  var REQUEST_TIMEOUT_MS = (POLL_WAIT_SECONDS + 15) * 1000;
  /* Default of data-seshat-check-seconds. */
  var AVAILABILITY_CHECK_SECONDS = 30;
  /* Retry delays after network failures, in seconds; the last repeats. */
  var BACKOFF_SECONDS = [1, 2, 4, 8, 15, 30];

  var STATUS_TEXT = {
    idle: "Write a message to start a chat.",
    starting: "Starting the chat\u2026",
    waiting: "Waiting for a staff member to answer\u2026",
    notified: "Waiting for a staff member to answer\u2026",
    open: "Chat started.",
    closed: "Chat closed.",
    failed: "Chat closed: nobody could answer.",
    canceled: "Chat closed: the request was canceled."
  };
  /* The idle text once the availability check has answered. */
  var IDLE_TEXT = {
    available: "Staff are online. Write a message to start a chat.",
    away: "Nobody is available right now. Write a message to start a chat anyway."
  };
  var OVER = { closed: true, failed: true, canceled: true };

  var instances = 0;

  /* The absolute ws: or wss: URL of a socket path on this site, or null. */
  function socketUrl(path) {
    if (!path) {
      return null;
    }
    if (/^wss?:\/\//.test(path)) {
      return path;
    }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + (path.charAt(0) === "/" ? "" : "/") + path;
  }

  /* Builds an element with a class and optional attributes. */
  function element(tag, className, attributes) {
    return $("<" + tag + ">", $.extend({ "class": className }, attributes || {}));
  }

  function SeshatChat(root) {
    this.root = $(root);
    this.base = (this.root.attr("data-seshat-base") || "/chat").replace(/\/+$/, "");
    this.token = null;
    this.lastId = 0;
    this.status = "idle";
    /* Only a box the page hid waits for staff to appear. */
    this.hideWhileAway = this.root.prop("hidden") === true;
    /* Unknown until the first availability check answers. */
    this.available = null;
    this.checkMs = (Number(this.root.attr("data-seshat-check-seconds")) ||
      AVAILABILITY_CHECK_SECONDS) * 1000;
    this.availabilityRound = 0;
    this.availabilityTimer = null;
    this.outbox = [];
    this.sending = false;
    this.sendFailures = 0;
    this.pollFailures = 0;
    this.polling = false;
    this.ending = false;
    this.id = "seshat-" + ++instances;
    this.socketUrl = window.WebSocket ? socketUrl(this.root.attr("data-seshat-socket")) : null;
    this.socket = null;
    this.socketOpenedOnce = false;
    this.socketFailures = 0;
    this.build();
    this.setStatus("idle");
    this.watchAvailability();
  }

  SeshatChat.prototype.build = function () {
    var self = this;
    var titleId = this.id + "-title";
    var inputId = this.id + "-input";
    this.panel = element("section", "seshat-panel", { "aria-labelledby": titleId });
    var header = element("div", "seshat-header");
    header.append(element("p", "seshat-title", { id: titleId }).text("Chat with us"));
    this.statusLine = element("p", "seshat-status", { role: "status" });
    header.append(this.statusLine);
    this.log = element("div", "seshat-log", {
      role: "log",
      "aria-live": "polite",
      "aria-label": "Chat messages",
      tabindex: "0"
    });
    this.notice = element("p", "seshat-notice", { role: "alert", hidden: true });
    this.form = element("form", "seshat-form");
    this.input = element("input", "seshat-input", {
      id: inputId,
      type: "text",
      autocomplete: "off",
      maxlength: "4096"
    });
    this.sendButton = element("button", "seshat-send", { type: "submit" }).text("Send");
    this.form.append(
      element("label", "seshat-label", { "for": inputId }).text("Your message"),
      element("div", "seshat-row").append(this.input, this.sendButton)
    );
    this.endButton = element("button", "seshat-end", { type: "button", hidden: true })
      .text("End chat");
    this.restartButton = element("button", "seshat-restart", { type: "button", hidden: true })
      .text("Start a new chat");
    var actions = element("div", "seshat-actions").append(this.endButton, this.restartButton);
    this.panel.append(header, this.log, this.notice, this.form, actions);
    this.root.empty().append(this.panel);

    /* A submit covers both Enter in the input and the Send button. */
    this.form.on("submit", function (event) {
      event.preventDefault();
      self.submit();
    });
    /* Not disabled while the request runs: disabling would drop the
     * keyboard focus on the page's body. Repeated presses are ignored. */
    this.endButton.on("click", function () {
      if (!self.ending) {
        self.ending = true;
        self.enqueue({ kind: "end" });
      }
    });
    this.restartButton.on("click", function () {
      self.restart();
    });
    /* New lines scroll the log only while the visitor is at its end, so
     * that reading older lines is not interrupted; a narrower window
     * (a phone turned) keeps the end in view. */
    this.followLog = true;
    this.log.on("scroll", function () {
      var log = self.log.get(0);
      self.followLog = log.scrollHeight - log.scrollTop - log.clientHeight < 8;
    });
    $(window).on("resize", function () {
      if (self.followLog) {
        self.scrollToEnd();
      }
    });
  };

  SeshatChat.prototype.show = function () {
    this.root.prop("hidden", false).removeAttr("hidden");
  };

  SeshatChat.prototype.hide = function () {
    this.root.prop("hidden", true);
  };

  /* Asks whether staff are available now, then every checkMs for as long
   * as the box is idle (nobody chatting). Started when the box is built and
   * again whenever it is idle once more; each start replaces the round
   * before, so that only one is ever running. */
  SeshatChat.prototype.watchAvailability = function () {
    var self = this;
    var round = ++this.availabilityRound;
    window.clearTimeout(this.availabilityTimer);
    this.availabilityTimer = null;
    if (this.status !== "idle") {
      return;
    }
    var current = function () {
      return round === self.availabilityRound && self.status === "idle";
    };
    $.ajax({ url: this.base + "/available", dataType: "json", timeout: REQUEST_TIMEOUT_MS })
      .done(function (body) {
        if (current()) {
          self.showAvailability(body.available === true);
        }
      })
      .always(function () {
        if (current()) {
          self.availabilityTimer = window.setTimeout(function () {
            self.watchAvailability();
          }, self.checkMs);
        }
      });
  };

  /* A hidden box appears while staff are available; it hides again while
   * they are not, unless the visitor has written in it. */
  SeshatChat.prototype.showAvailability = function (available) {
    this.available = available;
    var used = this.input.val() !== "" || this.log.children().length > 0;
    if (available || !this.hideWhileAway || used) {
      this.show();
    } else {
      this.hide();
    }
    this.setStatus("idle");
  };

  SeshatChat.prototype.setStatus = function (status) {
    this.status = status;
    this.root.attr("data-seshat-status", status);
    var text = STATUS_TEXT[status];
    if (status === "idle" && this.available !== null) {
      text = IDLE_TEXT[this.available ? "available" : "away"];
    }
    this.statusLine.text(text || status);
    var over = OVER[status] === true;
    /* Disabling or hiding the focused control drops the focus on the
     * page's body; keep keyboard users in the box. */
    var hadFocus = $.contains(this.panel.get(0), document.activeElement);
    this.input.prop("disabled", over);
    this.sendButton.prop("disabled", over);
    this.endButton.prop("hidden", over || status === "idle" || status === "starting");
    this.restartButton.prop("hidden", !over);
    if (over && hadFocus) {
      this.restartButton.trigger("focus");
    }
  };

  /* Appends one line to the log; returns it so that its state can change.
   * "name" (optional) replaces "Staff" with the staff member's name. */
  SeshatChat.prototype.addLine = function (from, text, time, name) {
    var who = name || { visitor: "You", staff: "Staff", seshat: "" }[from];
    var line = element("p", "seshat-line seshat-from-" + from);
    if (who) {
      line.append(element("span", "seshat-who").text(who + ": "));
    }
    line.append(element("span", "seshat-text").text(text));
    if (time) {
      line.attr("title", new Date(time).toLocaleTimeString());
    }
    this.log.append(line);
    if (this.followLog) {
      this.scrollToEnd();
    }
    return line;
  };

  SeshatChat.prototype.scrollToEnd = function () {
    this.log.scrollTop(this.log.prop("scrollHeight"));
  };

  SeshatChat.prototype.say = function (text) {
    if (text) {
      this.notice.text(text).prop("hidden", false);
    } else {
      this.notice.text("").prop("hidden", true);
    }
  };

  SeshatChat.prototype.submit = function () {
    var text = this.input.val();
    if (text.trim() === "") {
      this.input.trigger("focus");
      return;
    }
    this.input.val("");
    /* The visitor just wrote: show the end of the log, whatever they read before. */
    this.followLog = true;
    var line = this.addLine("visitor", text);
    line.addClass("seshat-pending");
    if (this.status === "idle") {
      this.setStatus("starting");
      this.enqueue({ kind: "start", text: text, line: line });
    } else {
      this.enqueue({ kind: "send", text: text, line: line });
    }
  };

  SeshatChat.prototype.enqueue = function (item) {
    this.outbox.push(item);
    this.drain();
  };

  /* Sends queued requests one at a time, in order, so that the start
   * comes before the first message and lines reach staff as typed. */
  SeshatChat.prototype.drain = function () {
    var self = this;
    if (this.sending || this.outbox.length === 0) {
      return;
    }
    var item = this.outbox[0];
    var request;
    if (item.kind === "start") {
      request = $.ajax({
        url: this.base + "/start",
        method: "POST",
        data: { message: item.text },
        dataType: "json",
        timeout: REQUEST_TIMEOUT_MS
      });
    } else {
      var path = item.kind === "end" ? "/end/" : "/sendmessage/";
      request = $.ajax({
        url: this.base + path + encodeURIComponent(this.token),
        method: "POST",
        data: item.kind === "send" ? { text: item.text } : {},
        dataType: "json",
        timeout: REQUEST_TIMEOUT_MS
      });
    }
    this.sending = true;
    request
      .done(function (body) {
        self.sending = false;
        self.sendFailures = 0;
        self.say("");
        self.outbox.shift();
        self.delivered(item, body);
        self.drain();
      })
      .fail(function (xhr) {
        self.sending = false;
        self.refused(item, xhr);
      });
  };

  SeshatChat.prototype.delivered = function (item, body) {
    if (item.line) {
      item.line.removeClass("seshat-pending");
    }
    if (item.kind === "start") {
      this.token = body.token;
      this.setStatus("waiting");
      this.poll();
    } else if (item.kind === "send" && body.sent === false) {
      item.line.addClass("seshat-failed");
    }
  };

  SeshatChat.prototype.refused = function (item, xhr) {
    var self = this;
    var retryIn = null;
    if (xhr.status === 429) {
      retryIn = Number(xhr.getResponseHeader("Retry-After")) || 5;
      this.say("Too many messages at once. Trying again in " + retryIn + " s.");
    } else if (xhr.status === 0 || xhr.status >= 500) {
      retryIn = BACKOFF_SECONDS[Math.min(this.sendFailures, BACKOFF_SECONDS.length - 1)];
      this.sendFailures += 1;
      this.say("Connection lost. Trying again in " + retryIn + " s.");
    }
    if (retryIn !== null) {
      window.setTimeout(function () {
        self.drain();
      }, retryIn * 1000);
      return;
    }
    /* The server refused this request for good (400, 404, 413...). */
    this.outbox.shift();
    var reason = (xhr.responseJSON && xhr.responseJSON.error) || "the request failed";
    this.say("Not sent: " + reason + ".");
    if (item.line) {
      item.line.removeClass("seshat-pending").addClass("seshat-failed");
    }
    if (item.kind === "start") {
      this.setStatus("idle");
      this.watchAvailability();
    } else if (xhr.status === 404) {
      this.stop("closed");
    }
    this.drain();
  };

  /* Long-polls for messages; "after" acknowledges what was shown, so that
   * an answer lost on the way is sent again rather than lost. */
  SeshatChat.prototype.poll = function () {
    var self = this;
    if (this.polling || !this.token) {
      return;
    }
    if (this.socketUrl) {
      if (!this.socket) {
        this.listenOnSocket();
      }
      return;
    }
    this.polling = true;
    var token = this.token;
    $.ajax({
      url: this.base + "/recvmessage/" + encodeURIComponent(token),
      data: { wait: POLL_WAIT_SECONDS, after: this.lastId },
      dataType: "json",
      timeout: REQUEST_TIMEOUT_MS
    })
      .done(function (body) {
        self.polling = false;
        if (token !== self.token) {
          return;
        }
        if (self.pollFailures > 0) {
          self.pollFailures = 0;
          self.say("");
        }
        $.each(body.messages, function (_, message) {
          if (message.id > self.lastId) {
            self.lastId = message.id;
            self.addLine(message.from === "staff" ? "staff" : "seshat", message.text, message.time);
          }
        });
        self.setStatus(body.status);
        if (!OVER[body.status]) {
          self.poll();
        }
      })
      .fail(function (xhr) {
        self.polling = false;
        if (token !== self.token) {
          return;
        }
        if (xhr.status === 404) {
          self.say("This chat no longer exists.");
          self.stop("closed");
          return;
        }
        var retryIn = xhr.status === 429
          ? Number(xhr.getResponseHeader("Retry-After")) || 5
          : BACKOFF_SECONDS[Math.min(self.pollFailures, BACKOFF_SECONDS.length - 1)];
        self.pollFailures += 1;
        self.say("Connection lost. Trying again in " + retryIn + " s.");
        window.setTimeout(function () {
          self.poll();
        }, retryIn * 1000);
      });
  };

  /* Receives over a WebSocket: the chat is resumed by its token, every
   * message arrives as soon as staff write it and is acknowledged once
   * shown; after a drop the socket reconnects with backoff and gets again
   * whatever was not acknowledged. Lines shown already (by id) are not
   * shown twice. */
  SeshatChat.prototype.listenOnSocket = function () {
    var self = this;
    var token = this.token;
    var socket;
    try {
      socket = new WebSocket(this.socketUrl);
    } catch (error) {
      this.fallBackToPolling();
      return;
    }
    this.socket = socket;
    var send = function (command) {
      if (socket.readyState === 1) {
        socket.send(JSON.stringify(command));
      }
    };
    socket.onopen = function () {
      self.socketOpenedOnce = true;
      send({ type: "start_chat", chat_id: token });
    };
    socket.onmessage = function (event) {
      if (token !== self.token) {
        socket.close(1000);
        return;
      }
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (data.type === "chat_resumed") {
        if (self.socketFailures > 0) {
          self.socketFailures = 0;
          self.say("");
        }
      } else if (data.type === "chat_out") {
        var message = data.msg_out;
        if (message.id > self.lastId) {
          self.lastId = message.id;
          var staff = message.origin === "chat";
          self.addLine(staff ? "staff" : "seshat", message.text, message.time,
            staff && message.user ? message.user.name : null);
        }
        send({ type: "ack_chat", msg_id: message.id });
      } else if (data.type === "chat_status") {
        self.setStatus(data.status);
        if (OVER[data.status]) {
          socket.close(1000);
        }
      }
    };
    socket.onclose = function () {
      if (self.socket === socket) {
        self.socket = null;
      }
      if (token !== self.token || OVER[self.status]) {
        return;
      }
      if (!self.socketOpenedOnce) {
        self.fallBackToPolling();
        return;
      }
      var retryIn = BACKOFF_SECONDS[Math.min(self.socketFailures, BACKOFF_SECONDS.length - 1)];
      self.socketFailures += 1;
      self.say("Connection lost. Trying again in " + retryIn + " s.");
      window.setTimeout(function () {
        if (token === self.token && !self.socket) {
          self.listenOnSocket();
        }
      }, retryIn * 1000);
    };
  };

  /* The socket never opened here: long-poll from now on. */
  SeshatChat.prototype.fallBackToPolling = function () {
    this.socketUrl = null;
    this.socket = null;
    this.poll();
  };

  SeshatChat.prototype.closeSocket = function () {
    if (this.socket) {
      var socket = this.socket;
      this.socket = null;
      socket.close(1000);
    }
  };

  SeshatChat.prototype.stop = function (status) {
    this.outbox = [];
    this.closeSocket();
    this.setStatus(status);
  };

  SeshatChat.prototype.restart = function () {
    this.closeSocket();
    this.token = null;
    this.lastId = 0;
    this.outbox = [];
    this.say("");
    this.log.append(element("hr", "seshat-separator"));
    this.ending = false;
    this.setStatus("idle");
    this.input.trigger("focus");
    this.watchAvailability();
  };

  /* $(element).seshatChat() makes a box of an element added after the
   * page loaded (each element once). */
  $.fn.seshatChat = function () {
    return this.each(function () {
      if (!$(this).data("seshat")) {
        $(this).data("seshat", new SeshatChat(this));
      }
    });
  };

  $(function () {
    $(".seshat-chat").seshatChat();
  });
})(jQuery);

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
 *                    WebSocket, or when the chat's first socket cannot be
 *                    opened (a proxy that refuses upgrades), the box
 *                    long-polls. Lines are sent with POST either way, so
 *                    that each one is confirmed or retried.
 * data-seshat-check-seconds  how often to ask whether staff are available
 *                    while nobody is chatting (default 30)
 * data-seshat-ask-name  "false" leaves out the line above the message box
 *                    that asks, before the first message, for the visitor's
 *                    name and e-mail address (both optional; they go to
 *                    staff with the chat request). Shown by default; sites
 *                    that know their visitors (a VisitorName from the app)
 *                    turn it off.
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
 *
 * Layout of this file:
 * - Backoff: the retry policy after network failures.
 * - Outbox: the visitor's commands, posted one at a time, in order, retried.
 * - Transport, with LongPollTransport and SocketTransport: one chat's
 *   connection to the server. The UI sees only this interface:
 *     transport.onMessage = function (message) {}
 *         each message once, in order: {id, from ("staff" or "seshat"),
 *         text, time, name (the staff member's, or null)}
 *     transport.onStatus = function (status) {}
 *         {chat: "waiting" | "notified" | "open" | "closed" | "failed" |
 *                "canceled", gone: true when the chat no longer exists}
 *         {connection: "lost" | "throttled", retryIn: seconds}
 *         {connection: "ok"} once working again
 *     transport.send(command) -> promise
 *         {type: "start", text, name, email} (name and email optional),
 *         {type: "line", text}, {type: "end"}; done
 *         with the server's answer ({sent: false}: the chat is over), or
 *         failed with the reason the server refused it for good. Network
 *         failures are retried and never fail the promise.
 *     transport.close()
 *         nothing more is sent, received or reported.
 * - SeshatChat: the box itself, the UI.
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
  /* The wait after a 429 without a usable Retry-After, in seconds. */
  var DEFAULT_RETRY_AFTER_SECONDS = 5;

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
    busy: "All our staff are busy. Write a message to wait in line.",
    away: "Nobody is available right now. Write a message to start a chat anyway."
  };
  var OVER = { closed: true, failed: true, canceled: true };

  var instances = 0;

  function ignore() {}

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

  /* Seconds from a Retry-After header, else the default. */
  function retryAfter(xhr) {
    return Number(xhr.getResponseHeader("Retry-After")) || DEFAULT_RETRY_AFTER_SECONDS;
  }

  /* ----- the retry policy ------------------------------------------------ */

  /* Growing delays after consecutive failures, back to the first once a
   * request succeeds. */
  function Backoff() {
    this.failures = 0;
  }

  Backoff.prototype.next = function () {
    var seconds = BACKOFF_SECONDS[Math.min(this.failures, BACKOFF_SECONDS.length - 1)];
    this.failures += 1;
    return seconds;
  };

  Backoff.prototype.reset = function () {
    this.failures = 0;
  };

  /* ----- posting the visitor's commands ---------------------------------- */

  /* The form of POST /start: the first line, and the name and e-mail
   * address when the visitor gave them. */
  function startFields(command) {
    var fields = { message: command.text };
    if (command.name) {
      fields.name = command.name;
    }
    if (command.email) {
      fields.email = command.email;
    }
    return fields;
  }

  /* Posts commands one at a time, in order, so that the start comes before
   * the first line and lines reach staff as typed. Network failures and
   * 429s are retried; any other refusal fails that command for good. */
  function Outbox(transport) {
    this.transport = transport;
    this.queue = [];
    this.busy = false;
    this.closed = false;
    this.backoff = new Backoff();
    this.timer = null;
  }

  Outbox.prototype.push = function (command) {
    var deferred = $.Deferred();
    this.queue.push({ command: command, deferred: deferred });
    this.drain();
    return deferred.promise();
  };

  Outbox.prototype.close = function () {
    this.closed = true;
    this.queue = [];
    window.clearTimeout(this.timer);
  };

  Outbox.prototype.request = function (command) {
    var base = this.transport.base;
    var token = encodeURIComponent(this.transport.token);
    var requests = {
      start: { url: base + "/start", data: startFields(command) },
      line: { url: base + "/sendmessage/" + token, data: { text: command.text } },
      end: { url: base + "/end/" + token, data: {} }
    };
    return $.ajax($.extend(requests[command.type], {
      method: "POST",
      dataType: "json",
      timeout: REQUEST_TIMEOUT_MS
    }));
  };

  Outbox.prototype.drain = function () {
    var self = this;
    if (this.closed || this.busy || this.queue.length === 0) {
      return;
    }
    var item = this.queue[0];
    this.busy = true;
    this.request(item.command)
      .done(function (body) {
        self.busy = false;
        if (self.closed) {
          return;
        }
        self.queue.shift();
        self.backoff.reset();
        self.transport.working();
        if (item.command.type === "start") {
          self.transport.started(body.token);
        }
        item.deferred.resolve(body);
        self.drain();
      })
      .fail(function (xhr) {
        self.busy = false;
        if (!self.closed) {
          self.refused(item, xhr);
        }
      });
  };

  Outbox.prototype.refused = function (item, xhr) {
    var self = this;
    if (xhr.status === 429 || xhr.status === 0 || xhr.status >= 500) {
      var throttled = xhr.status === 429;
      var retryIn = throttled ? retryAfter(xhr) : this.backoff.next();
      this.transport.troubled(throttled ? "throttled" : "lost", retryIn);
      this.timer = window.setTimeout(function () {
        self.drain();
      }, retryIn * 1000);
      return;
    }
    /* The server refused this command for good (400, 404, 413...). */
    var reason = (xhr.responseJSON && xhr.responseJSON.error) || "the request failed";
    this.queue.shift();
    item.deferred.reject(reason);
    if (xhr.status === 404 && item.command.type !== "start") {
      /* The chat is gone: nothing queued for it can be sent either. */
      var rest = this.queue;
      this.queue = [];
      $.each(rest, function (_, queued) {
        queued.deferred.reject(reason);
      });
      this.transport.reportChat("closed", true);
      return;
    }
    this.drain();
  };

  /* ----- the transports ---------------------------------------------------- */

  /* What both transports share: the outbox, the messages shown once each,
   * and the status reports. Each transport adds listen() and may extend
   * stopListening(). */
  function Transport(base) {
    this.onMessage = ignore;
    this.onStatus = ignore;
    this.base = base;
    this.token = null;
    this.lastId = 0;
    this.status = null;
    this.closed = false;
    this.connectionOk = true;
    this.backoff = new Backoff();
    this.retryTimer = null;
    this.pollRequest = null;
    this.outbox = new Outbox(this);
  }

  Transport.prototype.send = function (command) {
    return this.outbox.push(command);
  };

  Transport.prototype.close = function () {
    this.closed = true;
    this.outbox.close();
    this.stopListening();
  };

  /* The chat exists: messages can be received. */
  Transport.prototype.started = function (token) {
    this.token = token;
    this.listen();
  };

  Transport.prototype.stopListening = function () {
    window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.pollRequest) {
      var request = this.pollRequest;
      this.pollRequest = null;
      request.abort();
    }
  };

  /* Passes on a message not shown yet. */
  Transport.prototype.deliver = function (message) {
    if (!this.closed && message.id > this.lastId) {
      this.lastId = message.id;
      this.onMessage(message);
    }
  };

  /* Passes on the chat's status; a chat that is over has nothing more to say. */
  Transport.prototype.reportChat = function (status, gone) {
    if (this.closed) {
      return;
    }
    this.status = status;
    if (OVER[status]) {
      this.stopListening();
    }
    this.onStatus({ chat: status, gone: gone === true });
  };

  /* A request failed and will be retried in retryIn seconds. */
  Transport.prototype.troubled = function (kind, retryIn) {
    if (!this.closed) {
      this.connectionOk = false;
      this.onStatus({ connection: kind, retryIn: retryIn });
    }
  };

  /* A request succeeded: says so once after a failure. */
  Transport.prototype.working = function () {
    if (!this.closed && !this.connectionOk) {
      this.connectionOk = true;
      this.onStatus({ connection: "ok" });
    }
  };

  /* Retries `attempt` after a failure, with backoff (or Retry-After). */
  Transport.prototype.retry = function (attempt, retryIn, kind) {
    var self = this;
    this.troubled(kind || "lost", retryIn);
    this.retryTimer = window.setTimeout(function () {
      self.retryTimer = null;
      if (!self.closed) {
        attempt();
      }
    }, retryIn * 1000);
  };

  /* Long-polls for messages; "after" acknowledges what was shown, so that
   * an answer lost on the way is sent again rather than lost. Used by the
   * long-poll transport, and by the socket transport when no socket opens. */
  function poll(transport) {
    if (transport.closed || transport.pollRequest) {
      return;
    }
    var request = $.ajax({
      url: transport.base + "/recvmessage/" + encodeURIComponent(transport.token),
      data: { wait: POLL_WAIT_SECONDS, after: transport.lastId },
      dataType: "json",
      timeout: REQUEST_TIMEOUT_MS
    });
    transport.pollRequest = request;
    request
      .done(function (body) {
        if (transport.pollRequest !== request) {
          return;
        }
        transport.pollRequest = null;
        transport.backoff.reset();
        transport.working();
        $.each(body.messages, function (_, message) {
          transport.deliver({
            id: message.id,
            from: message.from === "staff" ? "staff" : "seshat",
            text: message.text,
            time: message.time,
            name: message.from === "staff" && message.name ? message.name : null
          });
        });
        transport.reportChat(body.status, false);
        if (!OVER[body.status]) {
          poll(transport);
        }
      })
      .fail(function (xhr) {
        if (transport.pollRequest !== request) {
          return;
        }
        transport.pollRequest = null;
        if (xhr.status === 404) {
          transport.reportChat("closed", true);
          return;
        }
        var throttled = xhr.status === 429;
        transport.retry(function () {
          poll(transport);
        }, throttled ? retryAfter(xhr) : transport.backoff.next(),
        throttled ? "throttled" : "lost");
      });
  }

  /* Receives by long polling. */
  function LongPollTransport(base) {
    Transport.call(this, base);
  }

  LongPollTransport.prototype = Object.create(Transport.prototype);

  LongPollTransport.prototype.listen = function () {
    poll(this);
  };

  /* Receives over a WebSocket: the chat is resumed by its token, every
   * message arrives as soon as staff write it and is acknowledged once
   * shown; after a drop the socket reconnects with backoff and gets again
   * whatever was not acknowledged. When the chat's first socket never
   * opens, it long-polls instead. */
  function SocketTransport(base, url) {
    Transport.call(this, base);
    this.url = url;
    this.socket = null;
    this.openedOnce = false;
    this.polling = false;
  }

  SocketTransport.prototype = Object.create(Transport.prototype);

  SocketTransport.prototype.listen = function () {
    if (this.polling) {
      poll(this);
    } else {
      this.connect();
    }
  };

  SocketTransport.prototype.stopListening = function () {
    Transport.prototype.stopListening.call(this);
    if (this.socket) {
      var socket = this.socket;
      this.socket = null;
      socket.close(1000);
    }
  };

  SocketTransport.prototype.pollInstead = function () {
    this.polling = true;
    poll(this);
  };

  SocketTransport.prototype.connect = function () {
    var self = this;
    var socket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      this.pollInstead();
      return;
    }
    this.socket = socket;
    var send = function (command) {
      if (socket.readyState === 1) {
        socket.send(JSON.stringify(command));
      }
    };
    socket.onopen = function () {
      self.openedOnce = true;
      send({ type: "start_chat", chat_id: self.token });
    };
    socket.onmessage = function (event) {
      if (self.socket !== socket) {
        return;
      }
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (data.type === "chat_resumed") {
        self.backoff.reset();
        self.working();
      } else if (data.type === "chat_out") {
        var message = data.msg_out;
        var staff = message.origin === "chat";
        self.deliver({
          id: message.id,
          from: staff ? "staff" : "seshat",
          text: message.text,
          time: message.time,
          name: staff && message.user ? message.user.name : null
        });
        send({ type: "ack_chat", msg_id: message.id });
      } else if (data.type === "chat_status") {
        self.reportChat(data.status, false);
      }
    };
    socket.onclose = function () {
      /* Closed on purpose (stopListening) or already replaced. */
      if (self.socket !== socket) {
        return;
      }
      self.socket = null;
      if (self.closed) {
        return;
      }
      if (!self.openedOnce) {
        self.pollInstead();
        return;
      }
      self.retry(function () {
        self.connect();
      }, self.backoff.next());
    };
  };

  /* The transport for a new chat: the socket when the box has one and the
   * browser can open it, else the long poll. */
  function openTransport(base, socketPath) {
    var url = window.WebSocket ? socketUrl(socketPath) : null;
    return url ? new SocketTransport(base, url) : new LongPollTransport(base);
  }

  /* ----- the box ----------------------------------------------------------- */

  function SeshatChat(root) {
    this.root = $(root);
    this.base = (this.root.attr("data-seshat-base") || "/chat").replace(/\/+$/, "");
    this.socketPath = this.root.attr("data-seshat-socket");
    this.askName = this.root.attr("data-seshat-ask-name") !== "false";
    this.checkMs = (Number(this.root.attr("data-seshat-check-seconds")) ||
      AVAILABILITY_CHECK_SECONDS) * 1000;
    this.status = "idle";
    /* Only a box the page hid waits for staff to appear. */
    this.hideWhileAway = this.root.prop("hidden") === true;
    /* Unknown until the first availability check answers. */
    this.available = null;
    this.availabilityRound = 0;
    this.availabilityTimer = null;
    this.transport = null;
    this.ending = false;
    this.id = "seshat-" + ++instances;
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
    this.about = null;
    if (this.askName) {
      this.about = this.buildAbout();
      this.form.append(this.about);
    }
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
      self.end();
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

  /* The line that asks for the visitor's name and e-mail address before
   * the first message: two optional fields, each with its label for
   * screen readers and a shorter placeholder that fits a phone's half
   * line for everyone. */
  SeshatChat.prototype.buildAbout = function () {
    var about = element("div", "seshat-about", { role: "group", "aria-label": "About you" });
    var field = function (id, label, placeholder, attributes) {
      var input = element("input", "seshat-about-input", $.extend({
        id: id,
        placeholder: placeholder
      }, attributes));
      about.append(
        element("label", "seshat-hidden-label", { "for": id }).text(label),
        input
      );
      return input;
    };
    this.nameInput = field(this.id + "-name", "Your name (optional)", "Name (optional)", {
      type: "text",
      autocomplete: "name",
      maxlength: "100"
    });
    this.emailInput = field(this.id + "-email", "E-mail (optional)", "E-mail (optional)", {
      type: "email",
      autocomplete: "email",
      maxlength: "254"
    });
    return about;
  };

  /* What the visitor gave about themselves, for the start; empty fields
   * are left out. */
  SeshatChat.prototype.aboutVisitor = function () {
    if (!this.about) {
      return {};
    }
    return {
      name: this.nameInput.val().trim() || null,
      email: this.emailInput.val().trim() || null
    };
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
          self.showAvailability(
            body.available === true ? "available" : body.busy === true ? "busy" : "away"
          );
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

  /* A hidden box appears while staff are available, or busy with a line
   * to wait in; it hides again while nobody is there, unless the visitor
   * has written in it. `availability` is "available", "busy" or "away". */
  SeshatChat.prototype.showAvailability = function (availability) {
    this.available = availability;
    var available = availability !== "away";
    var used = this.input.val() !== "" || this.log.children().length > 0 ||
      (this.about !== null && (this.nameInput.val() !== "" || this.emailInput.val() !== ""));
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
      text = IDLE_TEXT[this.available];
    }
    this.statusLine.text(text || status);
    var over = OVER[status] === true;
    /* Disabling or hiding the focused control drops the focus on the
     * page's body; keep keyboard users in the box. */
    var hadFocus = $.contains(this.panel.get(0), document.activeElement);
    if (this.about) {
      /* Asked only before a chat starts. */
      var leaving = status !== "idle" && $.contains(this.about.get(0), document.activeElement);
      this.about.prop("hidden", status !== "idle");
      if (leaving && !over) {
        this.input.trigger("focus");
      }
    }
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

  /* A new transport for a new chat, wired to the box. */
  SeshatChat.prototype.connect = function () {
    var self = this;
    var transport = openTransport(this.base, this.socketPath);
    transport.onMessage = function (message) {
      self.addLine(message.from, message.text, message.time, message.name);
    };
    transport.onStatus = function (status) {
      self.transportStatus(status);
    };
    return transport;
  };

  SeshatChat.prototype.transportStatus = function (status) {
    if (status.chat) {
      if (status.gone) {
        this.say("This chat no longer exists.");
      }
      this.setStatus(status.chat);
    } else if (status.connection === "ok") {
      this.say("");
    } else if (status.connection === "throttled") {
      this.say("Too many messages at once. Trying again in " + status.retryIn + " s.");
    } else {
      this.say("Connection lost. Trying again in " + status.retryIn + " s.");
    }
  };

  SeshatChat.prototype.submit = function () {
    var self = this;
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
    var starting = this.status === "idle";
    if (starting) {
      this.setStatus("starting");
      /* Not idle any more: this ends the availability checks. */
      this.watchAvailability();
      this.transport = this.connect();
    }
    var transport = this.transport;
    var command = starting ?
      $.extend({ type: "start", text: text }, this.aboutVisitor()) :
      { type: "line", text: text };
    transport.send(command)
      .done(function (body) {
        line.removeClass("seshat-pending");
        self.say("");
        if (body.sent === false) {
          line.addClass("seshat-failed");
        }
        if (starting && self.transport === transport && self.status === "starting") {
          self.setStatus("waiting");
        }
      })
      .fail(function (reason) {
        line.removeClass("seshat-pending").addClass("seshat-failed");
        self.say("Not sent: " + reason + ".");
        if (starting && self.transport === transport) {
          transport.close();
          self.transport = null;
          self.setStatus("idle");
          self.watchAvailability();
          /* Nothing started: give the line back to correct and send again
           * (say, after a refused e-mail address). */
          if (self.input.val() === "") {
            self.input.val(text);
          }
        }
      });
  };

  SeshatChat.prototype.end = function () {
    var self = this;
    if (this.ending || !this.transport) {
      return;
    }
    this.ending = true;
    this.transport.send({ type: "end" }).fail(function (reason) {
      self.say("Not sent: " + reason + ".");
    });
  };

  SeshatChat.prototype.restart = function () {
    if (this.transport) {
      this.transport.close();
      this.transport = null;
    }
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

# SPDX-License-Identifier: GPL-3.0-or-later
#
# A real ActionCable 6.1 server that behaves like the redmine_rt Redmine plugin, without Rails,
# Redmine or a database. See README.md beside this file and shared/protocols/redmine_rt.md §14.
#
# Environment:
#   REDMINE_RT_USERS           JSON array of users: [{"id":5,"login":"bob","api_key":"k-bob",
#                              "password":"secret"}, ...]
#   REDMINE_RT_USERS_FILE      path of a file holding the same JSON (used if REDMINE_RT_USERS
#                              is not set); without either, the built-in users below are used
#   REDMINE_RT_LEGACY=1        define only the pre-2022 class RedmineRt::Channel instead of the
#                              current top-level Channel
#   REDMINE_RT_BROADCAST_LOG   append every broadcast to this file as one JSON line
#                              {"channel":"pbx","message":{...}}
#   REDMINE_RT_SERVER_LOG      ActionCable's log file (default: standard error)
#   REDMINE_RT_VERBOSE=1       log at debug level instead of warnings only
#   REDMINE_RT_ISSUES_FILE     JSON array of issues for GET /issues.json, as Redmine's API
#                              writes them (id, subject, project, status, updated_on,
#                              custom_fields); without it, the built-in issues below

require "json"
require "logger"
require "base64"
require "rack"
require "rack/utils"
require "action_cable"
require "active_support/tagged_logging"

module RedmineRtTest
  User = Struct.new(:id, :login, :api_key, :password, :firstname, :lastname, keyword_init: true) do
    # ActionCable builds the connection identifier from this.
    def to_s
      login
    end

    def as_redmine_json
      {
        "user" => {
          "id" => id,
          "login" => login,
          "admin" => false,
          "firstname" => firstname || login.capitalize,
          "lastname" => lastname || "Test",
          "mail" => "#{login}@example.org",
          "created_on" => "2024-01-01T00:00:00Z",
          "last_login_on" => "2024-01-01T00:00:00Z",
          "api_key" => api_key,
        },
      }
    end
  end

  DEFAULT_USERS = [
    { "id" => 5, "login" => "bob", "api_key" => "k-bob", "password" => "bob-password" },
    { "id" => 6, "login" => "john.doe", "api_key" => "k-john", "password" => "john-password" },
    { "id" => 7, "login" => "pbx", "api_key" => "k-pbx", "password" => "pbx-password" },
  ].freeze

  def self.load_users
    raw = ENV["REDMINE_RT_USERS"]
    raw = File.read(ENV["REDMINE_RT_USERS_FILE"]) if (raw.nil? || raw.empty?) && ENV["REDMINE_RT_USERS_FILE"]
    list = raw && !raw.empty? ? JSON.parse(raw) : DEFAULT_USERS
    list.map do |u|
      User.new(id: u["id"], login: u["login"], api_key: u["api_key"], password: u["password"],
               firstname: u["firstname"], lastname: u["lastname"])
    end
  end

  USERS = load_users.freeze

  def self.user_by_key(key)
    return nil if key.nil? || key.empty?
    USERS.find { |u| u.api_key == key }
  end

  def self.user_by_password(login, password)
    return nil if login.nil? || password.nil?
    USERS.find { |u| u.login == login && !u.password.nil? && u.password == password }
  end

  # Every broadcast, whoever made it, is kept for GET /test/log and optionally appended to
  # REDMINE_RT_BROADCAST_LOG, so tests can assert what reached a channel.
  BROADCASTS = []
  BROADCASTS_LOCK = Mutex.new

  def self.record_broadcast(channel, message)
    entry = { "channel" => channel, "message" => message }
    line = JSON.generate(entry)
    BROADCASTS_LOCK.synchronize do
      BROADCASTS << entry
      if (path = ENV["REDMINE_RT_BROADCAST_LOG"]) && !path.empty?
        File.open(path, "a") { |f| f.write(line + "\n"); f.flush }
      end
    end
  end

  def self.legacy?
    ENV["REDMINE_RT_LEGACY"] == "1"
  end
end

# ActionCable outside Rails: everything Rails would configure must be set by hand.
ActionCable.server.config.cable = { "adapter" => "async" }
ActionCable.server.config.disable_request_forgery_protection = true
ActionCable.server.config.worker_pool_size = 4
ActionCable.server.config.logger = begin
  target = ENV["REDMINE_RT_SERVER_LOG"]
  logger = Logger.new(target && !target.empty? ? target : $stderr)
  logger.level = ENV["REDMINE_RT_VERBOSE"] == "1" ? Logger::DEBUG : Logger::WARN
  ActiveSupport::TaggedLogging.new(logger)
end

ActiveSupport::Notifications.subscribe("broadcast.action_cable") do |*, payload|
  RedmineRtTest.record_broadcast(payload[:broadcasting], payload[:message])
end

module RedmineRtTest
  # Like redmine_rt's ApplicationCable::Connection: identified by the access_key query
  # parameter, never rejected. An unknown key gives a connection without a user.
  class Connection < ActionCable::Connection::Base
    identified_by :current_user

    def connect
      self.current_user = RedmineRtTest.user_by_key(request.params["access_key"])
    end
  end

  # The behaviour shared by the current and the legacy channel class.
  module ChannelBehaviour
    def subscribed
      name = params["name"]
      if current_user.nil?
        stream_from "unauthorized"
        ActionCable.server.broadcast "unauthorized", { "event" => "error", "type" => "unauthorized" }
      elsif name.nil? || name.to_s.empty?
        stream_from "unauthorized"
        ActionCable.server.broadcast "unauthorized", { "event" => "error", "type" => "no_channel_specified" }
      else
        stream_from name.to_s
      end
    end

    # The real plugin calls an undefined constant here and broadcasts nothing; so do we,
    # loudly in the server log only.
    def receive(data)
      logger.error "send_msg over the WebSocket is broken in redmine_rt (uninitialized constant Channel::Broadcaster); ignored"
    end
  end
end

ActionCable.server.config.connection_class = -> { RedmineRtTest::Connection }

# ActionCable resolves the identifier's "channel" value to a class by its name, so the class
# that is left undefined gets no reply at all, exactly like the real plugin.
if RedmineRtTest.legacy?
  module RedmineRt
    class Channel < ActionCable::Channel::Base
      include RedmineRtTest::ChannelBehaviour
    end
  end
else
  class Channel < ActionCable::Channel::Base
    include RedmineRtTest::ChannelBehaviour
  end
end

module RedmineRtTest
  DEFAULT_ISSUES = [
    { "id" => 101, "subject" => "Printer offline again",
      "project" => { "id" => 1, "name" => "Acme Support" },
      "status" => { "id" => 1, "name" => "New", "is_closed" => false },
      "updated_on" => "2026-12-01T09:00:00Z",
      "custom_fields" => [{ "id" => 3, "name" => "Phone", "value" => "03-1234-5678" },
                          { "id" => 4, "name" => "Customer", "value" => "山田 太郎" }] },
    { "id" => 102, "subject" => "Invoice question",
      "project" => { "id" => 2, "name" => "Globex" },
      "status" => { "id" => 5, "name" => "Closed", "is_closed" => true },
      "updated_on" => "2026-11-20T09:00:00Z",
      "custom_fields" => [{ "id" => 3, "name" => "Phone", "value" => "+385 1 4567 890" },
                          { "id" => 4, "name" => "Customer", "value" => "Ana Horvat" }] },
  ].freeze

  def self.issues
    @issues ||= begin
      path = ENV["REDMINE_RT_ISSUES_FILE"]
      path && !path.empty? ? JSON.parse(File.read(path)) : DEFAULT_ISSUES
    end
  end

  # The HTTP side: /users/current.json, /channels/NAME/post_msg.json and the test hooks.
  class App
    POST_MSG = %r{\A/channels/([^/.?]+)/post_msg\.json\z}.freeze
    TEST_BROADCAST = %r{\A/test/broadcast/([^/?]+)\z}.freeze

    def call(env)
      req = Rack::Request.new(env)
      path = env["PATH_INFO"].to_s

      if path == "/users/current.json" && req.get?
        current_user(req)
      elsif path == "/issues.json" && req.get?
        issues(req)
      elsif path.start_with?("/channels/") && path.end_with?("/post_msg.json")
        return text(405, "Method Not Allowed") unless req.post?
        m = POST_MSG.match(path)
        return text(404, "Not Found") unless m
        post_msg(req, m[1])
      elsif path == "/test/log" && req.get?
        test_log(req)
      elsif path == "/test/log" && req.delete?
        BROADCASTS_LOCK.synchronize { BROADCASTS.clear }
        [204, {}, []]
      elsif (m = TEST_BROADCAST.match(path)) && req.post?
        test_broadcast(req, m[1])
      elsif path == "/test/disconnect" && req.post?
        test_disconnect(req)
      elsif path == "/test/ping" || path == "/"
        text(200, "redmine_rt test server\n")
      else
        text(404, "Not Found")
      end
    end

    private

    def text(status, body)
      [status, { "content-type" => "text/plain; charset=utf-8" }, [body]]
    end

    def json(status, obj)
      [status, { "content-type" => "application/json; charset=utf-8" }, [JSON.generate(obj)]]
    end

    def unauthorized
      [401, { "content-type" => "application/json; charset=utf-8",
              "www-authenticate" => 'Basic realm="Redmine API"' }, ['{"errors":["Unauthorized"]}']]
    end

    # Redmine's API authentication: the key from the X-Redmine-API-Key header or the key
    # query parameter, otherwise Basic auth with login:password or KEY:anything.
    def authenticate(req)
      key = req.get_header("HTTP_X_REDMINE_API_KEY")
      key = req.GET["key"] if key.nil? || key.empty?
      return RedmineRtTest.user_by_key(key) if key && !key.empty?

      auth = req.get_header("HTTP_AUTHORIZATION").to_s
      return nil unless auth =~ /\ABasic\s+(\S+)\z/i
      decoded = Base64.decode64(Regexp.last_match(1))
      login, password = decoded.split(":", 2)
      RedmineRtTest.user_by_password(login, password) || RedmineRtTest.user_by_key(login)
    end

    # GET /issues.json as Redmine's IssuesController#index answers it, for the filters the
    # caller-id preset uses. Redmine reads each filter parameter with Query#add_short_filter
    # (app/models/query.rb): a leading operator of the field's type (for a string custom
    # field "=", "~", "!", "!~", "!*", "*"; tried longest first) or else "=", and the values
    # split on "|". Rack has already decoded the query string, "+" as a space, as Rails does.
    # Without status_id the filter is "o", open issues only (IssueQuery's default filter).
    # An invalid key is 401; no key sees what Anonymous may see: nothing here.
    STRING_OPERATORS = ["=", "~", "!", "!~", "!*", "*"].sort.reverse.freeze

    def issues(req)
      key = req.get_header("HTTP_X_REDMINE_API_KEY")
      key = req.GET["key"] if key.nil? || key.empty?
      user = key && !key.empty? ? RedmineRtTest.user_by_key(key) : nil
      return unauthorized if key && !key.empty? && user.nil?

      list = user ? RedmineRtTest.issues : []
      status = req.GET["status_id"] || "o"
      list = list.select { |i| i["status"]["is_closed"] != true } if status == "o"
      list = list.select { |i| i["status"]["is_closed"] == true } if status == "c"

      req.GET.each do |name, expression|
        next unless (m = /\Acf_(\d+)\z/.match(name))
        id = m[1].to_i
        operator = STRING_OPERATORS.detect { |op| expression.start_with?(op) }
        values = operator ? expression[operator.length..].split("|") : expression.split("|")
        operator ||= "="
        list = list.select do |issue|
          field = (issue["custom_fields"] || []).find { |f| f["id"] == id }
          value = field ? field["value"].to_s : ""
          case operator
          when "=" then values.include?(value)
          when "~" then values.any? { |v| value.downcase.include?(v.downcase) }
          when "!" then !values.include?(value)
          when "*" then !value.empty?
          when "!*" then value.empty?
          else false
          end
        end
      end

      if req.GET["sort"].to_s.start_with?("updated_on")
        list = list.sort_by { |i| i["updated_on"] }
        list = list.reverse if req.GET["sort"].end_with?(":desc")
      end
      limit = (req.GET["limit"] || 25).to_i.clamp(1, 100)
      json(200, { "issues" => list.first(limit), "total_count" => list.length,
                  "offset" => 0, "limit" => limit })
    end

    def current_user(req)
      user = authenticate(req)
      return unauthorized unless user
      json(200, user.as_redmine_json)
    end

    # As Rails reads a POST body: only a JSON content type is parsed as JSON (rails/rails
    # actionpack/lib/action_dispatch/http/parameters.rb, DEFAULT_PARSERS has only
    # Mime[:json], and parse_formatted_parameters falls back for any other type); anything
    # else goes through Rack's form parser (Rack::Request#POST), so a JSON text posted with
    # `curl -d` and no content type becomes one key, cut at "=" and "&", with a nil value.
    def read_json_body(req)
      return req.POST unless req.media_type == "application/json"

      body = req.body ? req.body.read : ""
      return {} if body.empty?
      parsed = JSON.parse(body)
      # Rails wraps a JSON body that is not an object, and so does redmine_rt's broadcast.
      parsed.is_a?(Hash) ? parsed : { "_json" => parsed }
    end

    def post_msg(req, encoded_name)
      name = Rack::Utils.unescape_path(encoded_name)
      return text(400, "Bad Request") unless name.force_encoding("UTF-8").valid_encoding?
      return unauthorized unless authenticate(req)

      begin
        body = read_json_body(req)
      rescue JSON::ParserError
        return text(400, "Bad Request")
      end

      # The Rails parameter hash minus "id": query, then body, then the routing keys.
      params = req.GET.dup
      params.merge!(body)
      params.merge!("controller" => "channels", "action" => "post_msg", "format" => "json")
      params.delete("id")

      ActionCable.server.broadcast(name, params)
      [204, {}, []]
    end

    # Test hook, no authentication: broadcast the raw JSON body as is (any JSON value, also
    # arrays and strings), to feed malformed broadcasts to a client.
    def test_broadcast(req, encoded_name)
      name = Rack::Utils.unescape_path(encoded_name)
      body = req.body ? req.body.read : ""
      begin
        value = JSON.parse(body, max_nesting: false)
      rescue JSON::ParserError
        return text(400, "Bad Request")
      end
      ActionCable.server.broadcast(name, value)
      [204, {}, []]
    end

    # Test hook: send every open connection ActionCable's own disconnect frame
    # {"type":"disconnect","reason":REASON,"reconnect":BOOL} followed by a close frame, which
    # the real plugin only does on a development-mode reload.
    def test_disconnect(req)
      reason = req.GET["reason"] || "server_restart"
      reconnect = req.GET["reconnect"] != "false"
      ActionCable.server.connections.dup.each do |connection|
        connection.close(reason: reason, reconnect: reconnect)
      end
      [204, {}, []]
    end

    def test_log(req)
      channel = req.GET["channel"]
      list = BROADCASTS_LOCK.synchronize { BROADCASTS.dup }
      list = list.select { |e| e["channel"] == channel } if channel
      json(200, list)
    end
  end
end

# frozen_string_literal: true

# lwrap's test runtime for Ruby, shaped like AWS's aws_lambda_ric.
#
# Run as `ruby .../index.rb` (AWS: /var/runtime/index.rb). _HANDLER "echo.handler" ->
# $LAMBDA_TASK_ROOT/echo.rb, top-level method `handler(event:, context:)`; "file.Mod::Cls.meth"
# calls a class method. AWS habits kept because the preload observes them:
# - one keep-alive Net::HTTP connection per worker thread, no read timeout on `next`;
# - $stdout/$stderr synchronous: `puts` reaches the pipe at once;
# - the context logger (`context.logger`, a ::Logger) writes each record as ONE frame (one
#   write) to the telemetry fd (_LAMBDA_TELEMETRY_LOG_FD, read and deleted), else to stdout;
#   unlike AWS's Ruby client, plain `puts` stays on stdout (the contract of our test runtimes);
# - handler exceptions are logged and posted to /invocation/{id}/error with errorType
#   "Function<Class>" as AWS's Ruby client names it; load failures go to /init/error, exit 1.
# With AWS_LAMBDA_MAX_CONCURRENCY=N>1, N threads each run their own loop.
require 'json'
require 'logger'
require 'net/http'
require 'time'

module LwrapRuntime
  TEXT = 0xA55A0003
  JSON_FRAME = 0xA55A0002
  LEVEL_BITS = { 'DEBUG' => 0x08, 'INFO' => 0x0C, 'WARN' => 0x10, 'ERROR' => 0x14, 'FATAL' => 0x18 }.freeze

  def self.request_id
    Thread.current[:lwrap_request_id]
  end

  # The logger's device: one frame per record, level taken from the Logger call in flight.
  class FrameSink
    def initialize(io, json)
      @io = io
      @json = json
      @lock = Mutex.new
    end

    def write(msg)
      data = msg.to_s.b
      level = LEVEL_BITS.fetch(Thread.current[:lwrap_severity].to_s, 0)
      now = Time.now
      us = now.to_i * 1_000_000 + now.usec
      frame = [(@json ? JSON_FRAME : TEXT) | level, data.bytesize, us].pack('NNQ>') + data
      @lock.synchronize { @io.write(frame) }
      data.bytesize
    end

    def close; end
  end

  class LambdaLogger < ::Logger
    def add(severity, message = nil, progname = nil, &block)
      Thread.current[:lwrap_severity] = ::Logger::SEV_LABEL[severity] || 'ANY'
      super
    ensure
      Thread.current[:lwrap_severity] = nil
    end
  end

  # Ruby's default Logger line plus the request id (what AWS's Ruby client prints).
  class TextFormatter < ::Logger::Formatter
    def call(severity, time, progname, msg)
      format("%s, [%s #%d] %5s %s -- %s: %s\n", severity[0], time.utc.strftime('%Y-%m-%dT%H:%M:%S.%6NZ'),
             Process.pid, severity, LwrapRuntime.request_id, progname, msg2str(msg))
    end
  end

  class JsonFormatter < ::Logger::Formatter
    def call(severity, time, _progname, msg)
      rec = { timestamp: time.utc.strftime('%Y-%m-%dT%H:%M:%S.%LZ'), level: severity,
              message: msg2str(msg), requestId: LwrapRuntime.request_id }
      "#{JSON.generate(rec)}\n"
    end
  end

  def self.make_logger
    fd = ENV.delete('_LAMBDA_TELEMETRY_LOG_FD')
    json = ENV['AWS_LAMBDA_LOG_FORMAT'].to_s.upcase == 'JSON'
    dev = if fd && !fd.empty?
            io = IO.new(Integer(fd), 'wb', autoclose: false)
            io.sync = true
            FrameSink.new(io, json)
          else
            $stdout
          end
    logger = LambdaLogger.new(dev)
    logger.formatter = json ? JsonFormatter.new : TextFormatter.new
    level = json ? ENV['AWS_LAMBDA_LOG_LEVEL'].to_s.upcase : ''
    level = 'DEBUG' if level == 'TRACE'
    logger.level = ::Logger::SEV_LABEL.include?(level) ? level : ::Logger::DEBUG
    [logger, json]
  end

  class Context
    attr_reader :aws_request_id, :invoked_function_arn, :function_name, :function_version,
                :memory_limit_in_mb, :log_group_name, :log_stream_name, :logger, :identity, :client_context

    def initialize(headers, logger)
      @aws_request_id = headers['lambda-runtime-aws-request-id']
      @invoked_function_arn = headers['lambda-runtime-invoked-function-arn']
      @deadline_ms = headers['lambda-runtime-deadline-ms'].to_i
      @function_name = ENV['AWS_LAMBDA_FUNCTION_NAME']
      @function_version = ENV['AWS_LAMBDA_FUNCTION_VERSION']
      @memory_limit_in_mb = ENV['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']
      @log_group_name = ENV['AWS_LAMBDA_LOG_GROUP_NAME']
      @log_stream_name = ENV['AWS_LAMBDA_LOG_STREAM_NAME']
      @identity = parse(headers['lambda-runtime-cognito-identity'])
      @client_context = parse(headers['lambda-runtime-client-context'])
      @logger = logger
    end

    def get_remaining_time_in_millis
      [@deadline_ms - (Time.now.to_f * 1000).to_i, 0].max
    end

    private

    def parse(text)
      text && !text.empty? ? JSON.parse(text) : nil
    rescue JSON::ParserError
      nil
    end
  end

  class Client
    PREFIX = '/2018-06-01/runtime'

    def initialize(address)
      host, port = address.split(/:(?=\d+\z)/)
      @http = Net::HTTP.new(host, Integer(port))
      @http.read_timeout = nil # `next` blocks until there is an invoke
      @http.keep_alive_timeout = 3600
      @http.start
    end

    def next_invocation
      res = @http.request(Net::HTTP::Get.new("#{PREFIX}/invocation/next"))
      raise "next: HTTP #{res.code}" unless res.code == '200'

      headers = res.each_header.to_h
      [headers, res.body.to_s]
    end

    def post(path, body, error_type = nil)
      req = Net::HTTP::Post.new("#{PREFIX}#{path}")
      req['Content-Type'] = 'application/json'
      req['Lambda-Runtime-Function-Error-Type'] = error_type if error_type
      req.body = body
      res = @http.request(req)
      warn("runtime: POST #{path} -> HTTP #{res.code} #{res.body}") unless res.code == '202'
      res.code
    end
  end

  class InitError < StandardError
    attr_reader :type

    def initialize(type, message)
      super(message)
      @type = type
    end
  end

  def self.load_handler(name)
    file, _, meth = name.to_s.partition('.')
    raise InitError.new('Runtime.MalformedHandlerName', "Bad handler #{name}") if file.empty? || meth.empty?

    root = ENV['LAMBDA_TASK_ROOT'] || Dir.pwd
    begin
      require File.join(root, file)
    rescue LoadError, StandardError, ScriptError => e
      raise InitError.new(e.is_a?(SyntaxError) ? 'Init<SyntaxError>' : 'Init<LoadError>', "#{e.class}: #{e.message}")
    end
    if meth.include?('.')
      const_name, _, m = meth.rpartition('.')
      target = Object.const_get(const_name)
      raise InitError.new('Runtime.HandlerNotFound', "Handler #{name} not found") unless target.respond_to?(m)

      ->(event, context) { target.public_send(m, event: event, context: context) }
    else
      raise InitError.new('Runtime.HandlerNotFound', "Handler #{name} not found") unless Object.private_method_defined?(meth) || Object.method_defined?(meth)

      main = TOPLEVEL_BINDING.receiver
      ->(event, context) { main.send(meth, event: event, context: context) }
    end
  end

  def self.error_body(err, type = nil)
    { 'errorMessage' => err.message, 'errorType' => type || "Function<#{err.class}>",
      'stackTrace' => (err.backtrace || []).reject { |l| l.start_with?(__FILE__) } }
  end

  def self.worker(address, handler, logger)
    client = Client.new(address)
    loop do
      headers, body = client.next_invocation
      id = headers['lambda-runtime-aws-request-id']
      Thread.current[:lwrap_request_id] = id
      trace = headers['lambda-runtime-trace-id']
      trace ? ENV['_X_AMZN_TRACE_ID'] = trace : ENV.delete('_X_AMZN_TRACE_ID')
      begin
        event = body.empty? ? nil : JSON.parse(body)
        result = handler.call(event, Context.new(headers, logger))
      rescue StandardError, ScriptError, NoMemoryError => e
        err = error_body(e).merge('requestId' => id)
        logger.error(JSON.generate(err))
        client.post("/invocation/#{id}/error", JSON.generate(err), err['errorType'])
      else
        client.post("/invocation/#{id}/response", JSON.generate(result))
      ensure
        Thread.current[:lwrap_request_id] = nil
      end
    end
  end

  def self.main
    $stdout.sync = true
    $stderr.sync = true
    logger, = make_logger
    address = ENV.fetch('AWS_LAMBDA_RUNTIME_API')
    begin
      handler = load_handler(ENV['_HANDLER'])
    rescue InitError => e
      err = error_body(e, e.type)
      logger.error(JSON.generate(err))
      Client.new(address).post('/init/error', JSON.generate(err), e.type)
      exit(1)
    end
    n = [Integer(ENV['AWS_LAMBDA_MAX_CONCURRENCY'] || '1', exception: false) || 1, 1].max
    (n - 1).times { Thread.new { worker(address, handler, logger) }.tap { |t| t.abort_on_exception = true } }
    worker(address, handler, logger)
  end
end

LwrapRuntime.main if $PROGRAM_NAME == __FILE__

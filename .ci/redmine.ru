# Redmine's own config.ru, with one request at a time: Redmine on SQLite answers
# "database is locked" when two requests write at once (tests on two workers do).
require ::File.expand_path("config/environment", Dir.pwd)
use Rack::Lock
run Rails.application

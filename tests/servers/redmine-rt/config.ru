# SPDX-License-Identifier: GPL-3.0-or-later
#
# Rackup file of the redmine_rt test server: ActionCable at /cable, the HTTP endpoints
# everywhere else. Run with tests/servers/redmine-rt/run-server.

require_relative "redmine_rt_server"

map "/cable" do
  run ActionCable.server
end

map "/" do
  run RedmineRtTest::App.new
end

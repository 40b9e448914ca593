# Prepares a Redmine for the OMS adapter's tests and demo; safe to run again.
# Run by .ci/redmine with `rails runner`. Prints nothing but a summary line.
key = ENV.fetch("REDMINE_API_KEY")
Setting.rest_api_enabled = "1"
Setting.default_language = "en"
if Tracker.count.zero?
  Redmine::DefaultData::Loader.load("en")
end
admin = User.find_by!(login: "admin")
admin.update_columns(status: User::STATUS_ACTIVE, must_change_passwd: false)
# Token generates its own value on create; the fixed key is written over it.
token = Token.find_by(user_id: admin.id, action: "api") || Token.create!(user: admin, action: "api")
token.update_columns(value: key) if token.value != key
project = Project.find_by(identifier: "mercato") || Project.create!(
  name: "Mercato orders", identifier: "mercato", is_public: false
)
project.trackers = Tracker.all.to_a
project.enabled_module_names = %w[issue_tracking]
project.save!
{ "Marketplace status" => "string", "User secrets" => "text" }.each do |name, format|
  field = IssueCustomField.find_by(name: name) || IssueCustomField.new(name: name, field_format: format)
  field.is_for_all = true
  field.is_filter = true
  field.trackers = Tracker.all.to_a
  field.save!
end
puts "redmine ready: project=#{project.identifier} trackers=#{Tracker.pluck(:name).join(',')} " \
     "statuses=#{IssueStatus.pluck(:name).join(',')} fields=#{IssueCustomField.pluck(:id, :name).inspect}"

# A second person, "desk", plays the service desk in the tests (the adapter ignores
# changes its own account makes, so a person must be someone else).
desk = User.find_by(login: "desk") ||
  User.new(firstname: "Dana", lastname: "Desk", mail: "desk@redmine.example.org")
desk.login = "desk"
desk.admin = true
desk.status = User::STATUS_ACTIVE
desk.password = desk.password_confirmation = "desk-password-1" if desk.new_record?
desk.save!
desk_token = Token.find_by(user_id: desk.id, action: "api") || Token.create!(user: desk, action: "api")
desk_key = ENV.fetch("REDMINE_DESK_KEY")
desk_token.update_columns(value: desk_key) if desk_token.value != desk_key
puts "desk user ready: id=#{desk.id}"

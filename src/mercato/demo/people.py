"""Demo users, one or more per role; passwords are fixed so they can be printed and typed."""

from mercato.demo.specs import PersonSpec

ADMIN = "admin@mercato.example"
OPERATOR = "operator@mercato.example"
OMS_ADMIN = "oms-admin@mercato.example"
CUSTOMER = "customer@mercato.example"
INGRID = "ingrid.larsen@mercato.example"
MARCO = "marco.rossi@mercato.example"
SOFIA = "sofia.papadopoulou@mercato.example"
JAN = "jan.devries@mercato.example"
EMMA = "emma.schmidt@mercato.example"

PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec(ADMIN, "Alice", "Martin", "admin-pass", is_admin=True),
    PersonSpec(OPERATOR, "Olivier", "Dupont", "operator-pass"),
    PersonSpec(INGRID, "Ingrid", "Larsen", "ingrid-pass"),
    PersonSpec(MARCO, "Marco", "Rossi", "marco-pass"),
    PersonSpec(SOFIA, "Sofia", "Papadopoulou", "sofia-pass"),
    PersonSpec(JAN, "Jan", "de Vries", "jan-pass"),
    PersonSpec(EMMA, "Emma", "Schmidt", "emma-pass"),
    PersonSpec(OMS_ADMIN, "Tomas", "Novak", "oms-admin-pass"),
    PersonSpec(CUSTOMER, "Lukas", "Weber", "customer-pass"),
)

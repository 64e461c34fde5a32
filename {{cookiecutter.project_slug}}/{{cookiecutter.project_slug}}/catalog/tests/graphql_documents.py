"""The GraphQL documents the catalogue's tests send: a storefront's product list, order, orders."""

PRODUCTS = """
query Products($limit: Int) {
  products(pagination: {limit: $limit}, ordering: [{price: ASC}]) {
    id name price stock category { id name }
  }
}
"""
PLACE = """
mutation Place($items: [OrderLineInput!]!) {
  placeOrder(items: $items) { id status total items { product { id } quantity lineTotal } }
}
"""
MY_ORDERS = "{ myOrders { id status items { quantity product { name category { name } } } } }"

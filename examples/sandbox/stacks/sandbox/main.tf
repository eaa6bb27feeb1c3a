# No backend block: foundation generates backend.foundation.tf with `backend "s3" {}`.
variable "message" {
  type = string
}

resource "terraform_data" "message" {
  input = var.message
}

resource "terraform_data" "hello" {
  provisioner "local-exec" {
    command = "echo 'hello from the sandbox'"
  }
}

output "message" {
  value = terraform_data.message.output
}
